import assert from "node:assert/strict";
import { test } from "node:test";
import type { Spec } from "../../../reports/specs/common.ts";
import { THROUGHPUT_SERIES, throughputSpec } from "../../../reports/specs/throughput.ts";
import { HOSTILE, syntheticResults } from "../helpers/fixtures.ts";

const layers = (s: Spec) => s.layer as Spec[];
const values = (l: Spec) => (l.data as { values: Record<string, unknown>[] }).values;

test("four series per second, and every fault shaded from start to heal and labelled", () => {
  const r = syntheticResults();
  const spec = throughputSpec([{ label: "x", results: r }]);
  const line = layers(spec).at(-1) as Spec;
  assert.equal(values(line).length, r.series.length * THROUGHPUT_SERIES.length);
  assert.deepEqual(values(line)[4 * 7 + 1], { run: "x", t: 7, series: "acked", perSec: 0 });
  const rect = layers(spec).find((l) => (l.mark as Spec).type === "rect" && values(l).length === 2) as Spec;
  assert.deepEqual(
    values(rect).map((f) => [f.label, f.startS, f.endS, f.recoveryMs]),
    [
      [`stall ${HOSTILE}`, 6, 9, 1200.5],
      ["kill-a1", 8, 10, "never"],
    ],
  );
  const text = layers(spec).find((l) => (l.mark as Spec).type === "text") as Spec;
  assert.notEqual(values(text)[0]?.labelY, values(text)[1]?.labelY, "overlapping labels are staggered");
  // The warmup is shaded too, and the time axis covers the whole run.
  const warm = layers(spec)[0] as Spec;
  assert.deepEqual(values(warm)[0], { startS: 0, endS: 2, phase: "warmup (not in the figures)" });
  assert.deepEqual(((line.encoding as Spec).x as Spec).scale, { domain: [0, 20], nice: false });
});

test("two runs: each run's line is dashed differently and faults are labelled with the run", () => {
  const spec = throughputSpec([
    { label: "baseline", results: syntheticResults() },
    { label: "candidate", results: syntheticResults() },
  ]);
  const line = layers(spec).at(-1) as Spec;
  assert.equal(((line.encoding as Spec).strokeDash as Spec).field, "run");
  const text = layers(spec).find((l) => (l.mark as Spec).type === "text") as Spec;
  assert.deepEqual(
    values(text).map((f) => f.label),
    [`baseline: stall ${HOSTILE}`, "baseline: kill-a1", `candidate: stall ${HOSTILE}`, "candidate: kill-a1"],
  );
});
