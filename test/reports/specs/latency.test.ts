import assert from "node:assert/strict";
import { test } from "node:test";
import { decades, type Spec } from "../../../reports/specs/common.ts";
import { curveOf, latencyDistributionSpec, tailX } from "../../../reports/specs/latency-distribution.ts";
import { latencyTimeSpec } from "../../../reports/specs/latency-time.ts";
import { syntheticResults } from "../helpers/fixtures.ts";

const values = (l: Spec) => (l.data as { values: Record<string, unknown>[] }).values;

test("latency over time: p50, p99 and max per second; seconds without deliveries have no point", () => {
  const r = syntheticResults();
  const spec = latencyTimeSpec([{ label: "x", results: r }]);
  const line = (spec.layer as Spec[]).at(-1) as Spec;
  const v = values(line);
  const withData = r.series.filter((s) => s.e2eP50 !== null).length;
  assert.equal(v.length, withData * 3);
  assert.ok(!v.some((p) => p.t === 7), "no point while stalled");
  assert.deepEqual(
    v.filter((p) => p.t === 9).map((p) => [p.stat, p.ms]),
    [
      ["p50", 2],
      ["p99", 2900],
      ["max", 3000],
    ],
  );
  assert.equal((((line.encoding as Spec).y as Spec).scale as Spec).type, "log");
});

test("decades: the powers of ten around the data", () => {
  assert.deepEqual(decades([2, 3000]), [1, 10, 100, 1000, 10000]);
  assert.deepEqual(decades([0.3, 0.5]), [0.1, 1]);
  assert.deepEqual(decades([0, -1]), [1]);
});

test("percentile plot: x = 1/(1-p) on a log axis, corrected and uncorrected, publish and end to end", () => {
  const r = syntheticResults();
  const spec = latencyDistributionSpec([{ label: "x", results: r }]);
  const v = values(spec);
  const lines = new Set(v.map((p) => `${p.measure}/${p.kind}`));
  assert.equal(lines.size, 4);
  const e2eC = v.filter((p) => p.measure === "end to end" && String(p.kind).startsWith("corrected"));
  assert.equal(e2eC.length, r.latency.distribution?.endToEnd.corrected.length);
  for (let i = 1; i < e2eC.length; i++) assert.ok((e2eC[i]?.x as number) > (e2eC[i - 1]?.x as number));
  assert.deepEqual(e2eC.at(-1)?.ms, r.latency.endToEnd.corrected.max);
  assert.equal(e2eC.at(-1)?.percentile, "max");
  assert.equal((((spec.encoding as Spec).x as Spec).scale as Spec).type, "log");
  assert.ok(Math.abs(tailX(99, 1000, 50) - 100) < 1e-9);
  assert.equal(tailX(100, 1000, 50), 1000);
  assert.equal(tailX(100, 10, 50), 100, "the max stays right of the last point");
});

test("without latency.distribution (older results) the summary percentiles are plotted", () => {
  const r = syntheticResults({ old: true });
  const c = r.latency.endToEnd.corrected;
  assert.deepEqual(
    curveOf(r, "endToEnd", true).map((p) => p.ms),
    [c.p50, c.p90, c.p99, c.p999, c.max],
  );
  const two = latencyDistributionSpec([
    { label: "baseline", results: r },
    { label: "candidate", results: syntheticResults() },
  ]);
  // Side by side: end to end only, one colour per run.
  assert.deepEqual([...new Set(values(two).map((p) => p.measure))], ["end to end"]);
  assert.deepEqual([...new Set(values(two).map((p) => p.line))], ["baseline", "candidate"]);
});
