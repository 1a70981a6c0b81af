/**
 * CPU over time by role (harness, clients, proxy, engines), in cores, with the machine's busy cores
 * as a line: where the engine idles while the harness is pinned, the figures are the harness's.
 */

import type { ResourceRow } from "../../harness/results/types.ts";
import { type ChartRun, faultLayers, frame, type Spec, timeX } from "./common.ts";

const ROLES = ["harness", "clients", "proxy", "engines"] as const;
const COLORS = ["#cf222e", "#bf8700", "#8c959f", "#0969da"];

export function cpuSpec(runs: readonly ChartRun[]): Spec | undefined {
  const r = runs[0]?.results.resources;
  if (!r || r.series.length === 0) return undefined;
  const values = r.series.flatMap((row: ResourceRow) =>
    ROLES.map((role) => ({ t: row.t, role, cores: row[role] })),
  );
  const machine = r.series
    .filter((row) => row.machine !== null)
    .map((row) => ({ t: row.t, cores: row.machine }));
  return {
    ...frame(200),
    layer: [
      ...faultLayers(runs),
      {
        data: { values },
        mark: { type: "area", interpolate: "step-after", opacity: 0.85 },
        encoding: {
          x: timeX(runs, "t"),
          y: { field: "cores", type: "quantitative", stack: "zero", title: "CPU (cores)" },
          color: {
            field: "role",
            type: "nominal",
            title: null,
            scale: { domain: [...ROLES], range: COLORS },
          },
          tooltip: [
            { field: "t", title: "second" },
            { field: "role", title: "role" },
            { field: "cores", title: "cores", format: ".2f" },
          ],
        },
      },
      ...(machine.length === 0
        ? []
        : [
            {
              data: { values: machine },
              mark: { type: "line", interpolate: "step-after", color: "#1f2328", strokeDash: [4, 3] },
              encoding: {
                x: timeX(runs, "t"),
                y: { field: "cores", type: "quantitative" },
                tooltip: [
                  { field: "t", title: "second" },
                  { field: "cores", title: "machine busy (cores)", format: ".2f" },
                ],
              },
            },
          ]),
    ],
  };
}
