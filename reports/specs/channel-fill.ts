/**
 * Channel fill per agent over time, from the sampler's once-a-second reads of each agent's
 * /metrics, with the faults shaded: where the push chain buffered a stall, and whether it hit its
 * capacity (and started refusing). Seconds a node was down or paused have no sample, so the line
 * has a gap there. Undefined when the run has no samples (older results, or an engine without a
 * channel).
 */

import { type ChartRun, faultLayers, frame, runDash, type Spec, timeX } from "./common.ts";

export function channelFillSpec(runs: readonly ChartRun[]): Spec | undefined {
  const values = runs.flatMap((r) =>
    Object.entries(r.results.nodes ?? {}).flatMap(([node, s]) =>
      s.channelFill.map((p) => ({ run: r.label, node, t: p.t, fillPct: p.fillPct, size: p.size })),
    ),
  );
  if (values.length === 0) return undefined;
  // 0..100, unless a channel reported more than its capacity (then show that, not clip it).
  const top = Math.max(100, ...values.map((v) => v.fillPct));
  const dash = runDash(runs);
  return {
    ...frame(200),
    layer: [
      ...faultLayers(runs),
      {
        data: { values },
        mark: { type: "line", strokeWidth: 1.6, point: { size: 14 } },
        encoding: {
          x: timeX(runs, "t"),
          y: {
            field: "fillPct",
            type: "quantitative",
            title: "channel fill, % of capacity",
            scale: { domain: [0, top] },
          },
          color: { field: "node", type: "nominal", title: "agent" },
          detail: { field: "run" },
          ...(dash ? { strokeDash: dash } : {}),
          tooltip: [
            ...(dash ? [{ field: "run", title: "run" }] : []),
            { field: "node", title: "agent" },
            { field: "t", title: "second" },
            { field: "fillPct", title: "fill %", format: ".1f" },
            { field: "size", title: "events in channel", format: "," },
          ],
        },
      },
    ],
  };
}
