import assert from "node:assert/strict";
import { test } from "node:test";
import type { Op } from "../../../harness/history/op.ts";
import { channelFillSeries } from "../../../harness/metrics/channel-fill.ts";

const sample = (t: number, node: string, size: number, pct: number): Op => ({
  t,
  process: "sampler",
  type: "info",
  f: "sample",
  node,
  metrics: { channelSize: size, channelFillPercentage: pct },
});

test("one point per node and second, the peak of that second, setup samples dropped", () => {
  const ops: Op[] = [
    sample(-500_000, "b", 1, 1),
    sample(100_000, "b", 2, 2),
    sample(2_100_000, "a", 50, 50),
    sample(2_900_000, "a", 80, 80),
    sample(2_950_000, "a", 60, 60),
    sample(1_000_000, "a", 5, 5),
    { t: 1_500_000, process: "harness", type: "info", f: "phase", phase: "measure" },
  ];
  assert.deepEqual(channelFillSeries(ops), {
    a: {
      channelFill: [
        { t: 1, size: 5, fillPct: 5 },
        { t: 2, size: 80, fillPct: 80 },
      ],
    },
    b: { channelFill: [{ t: 0, size: 2, fillPct: 2 }] },
  });
  assert.deepEqual(channelFillSeries([]), {});
});
