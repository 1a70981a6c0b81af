/**
 * Delivery accounting: what the engine acked against what went wrong with it — lost (acked, never
 * delivered), duplicated, recovered (outcome unknown yet delivered) and unexpected. On a symlog
 * axis so a handful of lost messages still shows next to tens of thousands acked; every bar is
 * labelled with its count, so a zero reads as zero.
 */

import type { Delivery } from "../../harness/results/types.ts";
import { type ChartRun, frame, type Spec } from "./common.ts";

export const DELIVERY_FIELDS = ["acked", "lost", "duplicated", "recovered", "unexpected"] as const;
const COLORS = ["#0969da", "#cf222e", "#bc4c00", "#1f883d", "#8250df"];
const MEANING: Record<(typeof DELIVERY_FIELDS)[number], string> = {
  acked: "confirmed by the engine",
  lost: "acked, never delivered",
  duplicated: "distinct messages delivered more than once",
  recovered: "outcome unknown, delivered after all",
  unexpected: "delivered, never sent",
};

export function deliverySpec(runs: readonly ChartRun[]): Spec {
  const multi = runs.length > 1;
  const values = runs.flatMap((r) =>
    DELIVERY_FIELDS.map((k) => ({
      run: r.label,
      what: k,
      count: (r.results.delivery as Delivery)[k],
      meaning: MEANING[k],
    })),
  );
  const x = {
    field: "what",
    type: "nominal",
    title: null,
    sort: [...DELIVERY_FIELDS],
    axis: { labelAngle: 0 },
  };
  const y = { field: "count", type: "quantitative", title: "messages (symlog)", scale: { type: "symlog" } };
  const tooltip = [
    ...(multi ? [{ field: "run", title: "run" }] : []),
    { field: "what", title: "what" },
    { field: "meaning", title: "meaning" },
    { field: "count", title: "messages", format: "," },
  ];
  const color = multi
    ? { field: "run", type: "nominal", title: "run", scale: { range: ["#8c959f", "#0969da"] } }
    : {
        field: "what",
        type: "nominal",
        legend: null,
        scale: { domain: [...DELIVERY_FIELDS], range: COLORS },
      };
  const offset = multi ? { xOffset: { field: "run", sort: runs.map((r) => r.label) } } : {};
  return {
    ...frame(220),
    data: { values },
    layer: [
      { mark: { type: "bar" }, encoding: { x, y, color, ...offset, tooltip } },
      {
        mark: { type: "text", dy: -6, fontSize: 11 },
        encoding: { x, y, ...offset, text: { field: "count", type: "quantitative", format: "," }, tooltip },
      },
    ],
  };
}
