/**
 * Backlog over time: messages acked to the producers but not yet delivered, at the end of each
 * second, with the faults shaded. For the push agent it is what sits in the chain's channels; for
 * the pull log it is the consumer lag. A pull log under a slow consumer shows it growing while the
 * producers carry on; a push chain shows it only as far as its channels reach. Undefined for a
 * results.json written before the series had a backlog column.
 */

import { type ChartRun, faultLayers, frame, runDash, type Spec, timeX } from "./common.ts";

export function backlogSpec(runs: readonly ChartRun[]): Spec | undefined {
  const values = runs.flatMap((r) =>
    r.results.series
      .filter((row) => typeof row.backlog === "number")
      .map((row) => ({ run: r.label, t: row.t, backlog: row.backlog })),
  );
  if (values.length === 0) return undefined;
  const dash = runDash(runs);
  return {
    ...frame(200),
    layer: [
      ...faultLayers(runs),
      {
        data: { values },
        mark: { type: "line", strokeWidth: 1.6, interpolate: "step-after", point: { size: 14 } },
        encoding: {
          x: timeX(runs, "t"),
          y: { field: "backlog", type: "quantitative", title: "acked, not yet delivered" },
          color: { value: "#8c564b" },
          detail: { field: "run" },
          ...(dash ? { strokeDash: dash } : {}),
          tooltip: [
            ...(dash ? [{ field: "run", title: "run" }] : []),
            { field: "t", title: "second" },
            { field: "backlog", title: "backlog (messages)", format: "," },
          ],
        },
      },
    ],
  };
}
