/**
 * End-to-end latency over time (corrected: from the intended send time), p50, p99 and max of the
 * messages delivered in each second, on a log axis so a 3 ms median and a 3 s stall fit one chart.
 * Seconds in which nothing was delivered have no point.
 */

import { type ChartRun, decades, faultLayers, frame, runDash, type Spec, timeX } from "./common.ts";

export const LATENCY_STATS = [
  { key: "e2eP50", label: "p50" },
  { key: "e2eP99", label: "p99" },
  { key: "e2eMax", label: "max" },
] as const;

export function latencyTimeSpec(runs: readonly ChartRun[]): Spec {
  const values = runs.flatMap((r) =>
    r.results.series.flatMap((row) =>
      LATENCY_STATS.flatMap(({ key, label }) => {
        const v = row[key];
        // A log axis cannot place 0; a sub-µs latency is measurement noise anyway.
        return v === null || v <= 0 ? [] : [{ run: r.label, t: row.t, stat: label, ms: v }];
      }),
    ),
  );
  const dash = runDash(runs);
  return {
    ...frame(),
    layer: [
      ...faultLayers(runs),
      {
        data: { values },
        mark: { type: "line", strokeWidth: 1.6, point: { size: 14 } },
        encoding: {
          x: timeX(runs, "t"),
          y: {
            field: "ms",
            type: "quantitative",
            title: "end-to-end latency, ms (log)",
            scale: { type: "log" },
            axis: { values: decades(values.map((v) => v.ms)) },
          },
          color: {
            field: "stat",
            type: "nominal",
            title: null,
            scale: { domain: LATENCY_STATS.map((s) => s.label), range: ["#1a7f37", "#bf8700", "#cf222e"] },
          },
          ...(dash ? { strokeDash: dash } : {}),
          tooltip: [
            ...(dash ? [{ field: "run", title: "run" }] : []),
            { field: "t", title: "second" },
            { field: "stat", title: "statistic" },
            { field: "ms", title: "ms", format: ",.2f" },
          ],
        },
      },
    ],
  };
}
