// Every chart builder, for one run and for two (side by side): compiles, renders marks in vega's
// headless renderer without a warning, and has a tooltip on every mark layer.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { backlogSpec } from "../../../reports/specs/backlog.ts";
import { channelFillSpec } from "../../../reports/specs/channel-fill.ts";
import type { ChartRun, Spec } from "../../../reports/specs/common.ts";
import { deliverySpec } from "../../../reports/specs/delivery.ts";
import { latencyDistributionSpec } from "../../../reports/specs/latency-distribution.ts";
import { latencyTimeSpec } from "../../../reports/specs/latency-time.ts";
import { recoverySpec } from "../../../reports/specs/recovery.ts";
import { throughputSpec } from "../../../reports/specs/throughput.ts";
import { syntheticResults } from "../helpers/fixtures.ts";
import { markLayers, render } from "../helpers/render.ts";

const one: ChartRun[] = [{ label: "synthetic-crash", results: syntheticResults() }];
const two: ChartRun[] = [
  { label: "baseline", results: syntheticResults() },
  { label: "candidate", results: syntheticResults({ slower: 2 }) },
];
const builders: [string, (r: ChartRun[]) => Spec | undefined][] = [
  ["throughput", throughputSpec],
  ["latency over time", latencyTimeSpec],
  ["latency distribution", latencyDistributionSpec],
  ["delivery", deliverySpec],
  ["recovery", recoverySpec],
  ["channel fill", channelFillSpec],
  ["backlog", backlogSpec],
];

for (const [name, build] of builders) {
  describe(name, () => {
    for (const [what, runs] of [
      ["one run", one],
      ["two runs", two],
    ] as const) {
      test(`${what}: renders marks without warnings, tooltips on every mark`, async () => {
        const spec = build(runs);
        assert.ok(spec, "a spec");
        const { svg, warnings } = await render(spec);
        assert.deepEqual(warnings, []);
        // Marks with drawn geometry: paths (lines, rects, symbols) or text.
        assert.match(svg, /<path[^>]+d="M/);
        for (const l of markLayers(spec))
          assert.ok(l.encoding.tooltip, `tooltip on ${JSON.stringify(l.mark)}`);
      });
    }
  });
}
