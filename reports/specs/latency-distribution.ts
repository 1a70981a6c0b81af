/**
 * The latency distribution as an HDR percentile plot: latency against percentile, with the
 * percentile axis stretched towards the tail (x = 1/(1−p) on a log scale, labelled 90%, 99%,
 * 99.9%…), corrected (from the intended send time) next to uncorrected (from the actual send). The
 * distance between the two is the coordinated omission a closed-loop benchmark would have hidden.
 * Results written before `latency.distribution` existed fall back to their summary percentiles.
 */

import type { LatencyStats, PercentilePoint, Results } from "../../harness/results/types.ts";
import { type ChartRun, decades, frame, type Spec } from "./common.ts";

type Measure = "publish" | "endToEnd";
const MEASURE_LABEL: Record<Measure, string> = { publish: "publish", endToEnd: "end to end" };

/** The percentile curve of one measure, from the full distribution when the results have it. */
export function curveOf(r: Results, measure: Measure, corrected: boolean): PercentilePoint[] {
  const full = r.latency.distribution?.[measure]?.[corrected ? "corrected" : "uncorrected"];
  if (full && full.length > 0) return full;
  const s: LatencyStats = r.latency[measure];
  const p = corrected ? s.corrected : s;
  if (p.count === 0) return [];
  return [
    { percentile: 50, ms: p.p50 },
    { percentile: 90, ms: p.p90 },
    { percentile: 99, ms: p.p99 },
    { percentile: 99.9, ms: p.p999 },
    { percentile: 100, ms: p.max },
  ];
}

/** Position on the stretched axis: 1/(1−p). The maximum sits where one sample is left. */
export function tailX(percentile: number, count: number, previousX: number): number {
  if (percentile >= 100) return Math.max(count, previousX * 2, 2);
  return 1 / (1 - percentile / 100);
}

export function latencyDistributionSpec(runs: readonly ChartRun[]): Spec {
  const multi = runs.length > 1;
  // Side by side, only end to end (the figure regressions are judged by); alone, both measures.
  const measures: Measure[] = multi ? ["endToEnd"] : ["endToEnd", "publish"];
  const values: {
    run: string;
    measure: string;
    kind: string;
    line: string;
    x: number;
    percentile: string;
    ms: number;
  }[] = [];
  for (const r of runs) {
    for (const m of measures) {
      for (const corrected of [true, false]) {
        const count = corrected ? r.results.latency[m].corrected.count : r.results.latency[m].count;
        let prev = 1;
        for (const pt of curveOf(r.results, m, corrected)) {
          const x = tailX(pt.percentile, count, prev);
          prev = x;
          if (pt.ms <= 0) continue;
          values.push({
            run: r.label,
            measure: MEASURE_LABEL[m],
            kind: corrected ? "corrected (from intended send)" : "uncorrected (from actual send)",
            line: multi ? r.label : MEASURE_LABEL[m],
            x,
            percentile: pt.percentile >= 100 ? "max" : `${pt.percentile}%`,
            ms: pt.ms,
          });
        }
      }
    }
  }
  return {
    ...frame(240),
    data: { values },
    mark: { type: "line", strokeWidth: 1.6, point: { size: 14 } },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: "percentile",
        scale: { type: "log" },
        axis: {
          values: decades(values.map((v) => v.x)),
          labelExpr: "datum.value <= 1 ? '0%' : format(100 * (1 - 1 / datum.value), '.5~f') + '%'",
          grid: true,
        },
      },
      y: {
        field: "ms",
        type: "quantitative",
        title: "latency, ms (log)",
        scale: { type: "log" },
        axis: { values: decades(values.map((v) => v.ms)) },
      },
      color: { field: "line", type: "nominal", title: null },
      strokeDash: {
        field: "kind",
        type: "nominal",
        title: null,
        legend: { symbolType: "stroke", symbolStrokeColor: "#57606a", symbolStrokeWidth: 2 },
        scale: {
          domain: ["corrected (from intended send)", "uncorrected (from actual send)"],
          range: [
            [1, 0],
            [4, 3],
          ],
        },
      },
      detail: { field: "run" },
      tooltip: [
        ...(multi ? [{ field: "run", title: "run" }] : []),
        { field: "measure", title: "latency" },
        { field: "kind", title: "measured" },
        { field: "percentile", title: "percentile" },
        { field: "ms", title: "ms", format: ",.3f" },
      ],
    },
  };
}
