import assert from "node:assert/strict";
import { test } from "node:test";
import { channelFillSpec } from "../../../reports/specs/channel-fill.ts";
import type { Spec } from "../../../reports/specs/common.ts";
import { DELIVERY_FIELDS, deliverySpec } from "../../../reports/specs/delivery.ts";
import { recoverySpec } from "../../../reports/specs/recovery.ts";
import { syntheticResults } from "../helpers/fixtures.ts";

const values = (l: Spec) => (l.data as { values: Record<string, unknown>[] }).values;

test("delivery: acked, lost, duplicated, recovered, unexpected with their counts", () => {
  const r = syntheticResults();
  const v = values(deliverySpec([{ label: "x", results: r }]));
  assert.deepEqual(
    v.map((b) => [b.what, b.count]),
    DELIVERY_FIELDS.map((k) => [k, r.delivery[k]]),
  );
  assert.deepEqual(
    v.map((b) => b.what),
    ["acked", "lost", "duplicated", "recovered", "unexpected"],
  );
});

test("recovery: two bars per fault; a fault that never recovered says so; no faults, no chart", () => {
  const r = syntheticResults();
  const v = values(recoverySpec([{ label: "x", results: r }]) as Spec);
  assert.equal(v.length, 4);
  assert.deepEqual(
    v.filter((b) => b.measure === "recovery").map((b) => b.text),
    ["1200.5 ms", "never (not within the run)"],
  );
  assert.equal(recoverySpec([{ label: "x", results: { ...r, faults: [] } }]), undefined);
});

test("channel fill: one line per agent; none without samples; the axis grows past 100% if a channel did", () => {
  const r = syntheticResults();
  const spec = channelFillSpec([{ label: "x", results: r }]) as Spec;
  const line = (spec.layer as Spec[]).at(-1) as Spec;
  assert.deepEqual([...new Set(values(line).map((p) => p.node))], ["a1", "a2"]);
  assert.equal(values(line).length, 20 + 17, "a2 has no samples while paused");
  assert.equal(channelFillSpec([{ label: "x", results: syntheticResults({ old: true }) }]), undefined);
  r.nodes = { a1: { channelFill: [{ t: 1, size: 2860, fillPct: 143 }] } };
  const over = ((channelFillSpec([{ label: "x", results: r }]) as Spec).layer as Spec[]).at(-1) as Spec;
  assert.deepEqual((((over.encoding as Spec).y as Spec).scale as Spec).domain, [0, 143]);
});
