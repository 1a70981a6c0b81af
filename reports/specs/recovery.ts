/**
 * Recovery per fault: how long acks stopped (unavailable) and how long, after the heal, until
 * acked throughput was back to 90% of its pre-fault mean for 3 s (recovery). A fault that never
 * recovered within the run gets a "never" label instead of a bar.
 */

import { type ChartRun, frame, type Spec } from "./common.ts";

export function recoverySpec(runs: readonly ChartRun[]): Spec | undefined {
  const multi = runs.length > 1;
  const values = runs.flatMap((r) =>
    r.results.faults.flatMap((f) => {
      const fault = `${multi ? `${r.label}: ` : ""}${f.name} (${f.kind} ${f.target})`;
      return [
        {
          run: r.label,
          fault,
          measure: "unavailable",
          ms: f.unavailableMs ?? 0,
          text: f.unavailableMs === null ? "not separable: see its incident" : `${f.unavailableMs} ms`,
        },
        {
          run: r.label,
          fault,
          measure: "recovery",
          ms: f.recoveryMs ?? 0,
          text: f.recoveryMs === null ? "never (not within the run)" : `${f.recoveryMs} ms`,
        },
      ];
    }),
  );
  if (values.length === 0) return undefined;
  const faults = [...new Set(values.map((v) => v.fault))];
  const y = { field: "fault", type: "nominal", title: null, sort: faults };
  // Room on the right for the labels at the end of the longest bar.
  const top = Math.max(1, ...values.map((v) => v.ms)) * 1.3;
  const x = { field: "ms", type: "quantitative", title: "milliseconds", scale: { domain: [0, top] } };
  const yOffset = { field: "measure", sort: ["unavailable", "recovery"] };
  const tooltip = [
    { field: "fault", title: "fault" },
    { field: "measure", title: "measure" },
    { field: "text", title: "time" },
  ];
  return {
    ...frame(Math.max(90, faults.length * 56)),
    data: { values },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y,
          x,
          yOffset,
          color: {
            field: "measure",
            type: "nominal",
            title: null,
            scale: { domain: ["unavailable", "recovery"], range: ["#cf222e", "#0969da"] },
          },
          tooltip,
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 10.5 },
        encoding: { y, x, yOffset, text: { field: "text" }, tooltip },
      },
    ],
  };
}
