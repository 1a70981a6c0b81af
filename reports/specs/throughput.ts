/**
 * Throughput over time: offered, acked, delivered and failed messages per second, with every fault
 * interval shaded. The gap between offered and acked is what a fault cost producers; the gap
 * between acked and delivered is what the engine still held (or lost).
 */

import type { SeriesRow } from "../../harness/results/types.ts";
import { type ChartRun, faultLayers, frame, runDash, type Spec, timeX } from "./common.ts";

export const THROUGHPUT_SERIES = ["offered", "acked", "delivered", "failed"] as const;
const COLORS = ["#8c959f", "#0969da", "#1a7f37", "#cf222e"];

export function throughputSpec(runs: readonly ChartRun[]): Spec {
  const values = runs.flatMap((r) =>
    r.results.series.flatMap((row: SeriesRow) =>
      THROUGHPUT_SERIES.map((s) => ({ run: r.label, t: row.t, series: s, perSec: row[s] })),
    ),
  );
  const dash = runDash(runs);
  return {
    ...frame(),
    layer: [
      ...faultLayers(runs),
      {
        data: { values },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 1.6, point: { size: 14 } },
        encoding: {
          x: timeX(runs, "t"),
          y: { field: "perSec", type: "quantitative", title: "messages per second" },
          color: {
            field: "series",
            type: "nominal",
            title: null,
            scale: { domain: [...THROUGHPUT_SERIES], range: COLORS },
          },
          ...(dash ? { strokeDash: dash } : {}),
          tooltip: [
            ...(dash ? [{ field: "run", title: "run" }] : []),
            { field: "t", title: "second" },
            { field: "series", title: "series" },
            { field: "perSec", title: "messages/s", format: "," },
          ],
        },
      },
    ],
  };
}
