/**
 * What every chart spec shares: the run(s) it draws (one for a report, two for a side-by-side
 * comparison, on the same axes), the fault shading over time, and the chart frame. Spec builders
 * are pure functions of results.json data; the page decides where they go.
 */

import type { FaultResult, Results } from "../../harness/results/types.ts";

/** A Vega-Lite spec as plain JSON (validated by compiling it in the tests, not by its types). */
export type Spec = Record<string, unknown>;

/** One run to draw; `label` tells runs apart when there are two (baseline, candidate). */
export interface ChartRun {
  label: string;
  results: Results;
}

export const TIME_TITLE = "seconds since the load started";

/**
 * The time axis every time chart of a page shares: the whole run (load and drain), so the charts
 * line up one above the other even where a series has no points (latency while nothing arrives).
 */
export function timeX(runs: readonly ChartRun[], field: string): Spec {
  const end = Math.max(1, ...runs.map((r) => r.results.series.length));
  return { field, type: "quantitative", title: TIME_TITLE, scale: { domain: [0, end], nice: false } };
}

/** The frame of a single-view or layered chart: full width of its container, fixed height. */
export function frame(height = 220): Spec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: "container",
    height,
    autosize: { type: "fit", contains: "padding" },
    config: {
      view: { stroke: null },
      axis: { labelFontSize: 11, titleFontSize: 11 },
      legend: { orient: "top" },
    },
  };
}

/** Dash patterns that tell a baseline (solid) from a candidate (dashed). */
export function runDash(runs: readonly ChartRun[]): Spec | undefined {
  if (runs.length < 2) return undefined;
  return {
    field: "run",
    type: "nominal",
    title: "run",
    scale: {
      domain: runs.map((r) => r.label),
      range: [
        [1, 0],
        [5, 3],
      ],
    },
    legend: { symbolType: "stroke", symbolStrokeColor: "#57606a", symbolStrokeWidth: 2 },
  };
}

function faultLabel(f: FaultResult): string {
  return `${f.name} (${f.kind} ${f.target})`;
}

/**
 * Layers that shade each fault interval (start to heal) over a time axis in seconds, with a rule
 * at its start and its name on top, staggered so overlapping faults stay readable. The warmup is
 * shaded grey. With two runs, each run's faults are drawn, labelled with the run.
 */
export function faultLayers(runs: readonly ChartRun[]): Spec[] {
  const multi = runs.length > 1;
  const faults = runs
    .flatMap((r) =>
      r.results.faults.map((f) => ({
        run: r.label,
        fault: faultLabel(f),
        label: multi ? `${r.label}: ${f.name}` : f.name,
        startS: f.startMs / 1000,
        endS: Math.max(f.endMs, f.startMs) / 1000,
        startMs: f.startMs,
        endMs: f.endMs,
        unavailableMs: f.unavailableMs,
        recoveryMs: f.recoveryMs === null ? "never" : f.recoveryMs,
      })),
    )
    // Staggered label heights, so overlapping faults stay readable.
    .map((f, i) => ({ ...f, labelY: 10 + 12 * (i % 6) }));
  const warmupS = (runs[0]?.results.window.warmupMs ?? 0) / 1000;
  const layers: Spec[] = [];
  if (warmupS > 0) {
    layers.push({
      data: { values: [{ startS: 0, endS: warmupS, phase: "warmup (not in the figures)" }] },
      mark: { type: "rect", color: "#8c959f", opacity: 0.12 },
      encoding: {
        x: timeX(runs, "startS"),
        x2: { field: "endS" },
        tooltip: [
          { field: "phase", title: "phase" },
          { field: "endS", title: "until (s)" },
        ],
      },
    });
  }
  if (faults.length === 0) return layers;
  const tooltip = [
    { field: "fault", title: "fault" },
    ...(multi ? [{ field: "run", title: "run" }] : []),
    { field: "startMs", title: "start (ms)" },
    { field: "endMs", title: "healed (ms)" },
    { field: "unavailableMs", title: "unavailable (ms)" },
    { field: "recoveryMs", title: "recovery (ms)" },
  ];
  const data = { values: faults };
  layers.push(
    {
      data,
      mark: { type: "rect", color: "#d4a72c", opacity: 0.2 },
      encoding: {
        x: timeX(runs, "startS"),
        x2: { field: "endS" },
        tooltip,
      },
    },
    {
      data,
      mark: { type: "rule", color: "#9a6700", strokeDash: [3, 2] },
      encoding: { x: timeX(runs, "startS"), tooltip },
    },
    {
      data,
      mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: "#7d4e00" },
      encoding: {
        x: timeX(runs, "startS"),
        y: { field: "labelY", type: "quantitative", scale: null },
        text: { field: "label" },
        tooltip,
      },
    },
  );
  return layers;
}

/**
 * Tick values for a log axis: the powers of ten that span [min, max]. Vega's own log ticks put a
 * grid line at every 2, 3, … 9 as well, which buries the data on a small chart.
 */
export function decades(values: readonly number[]): number[] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (pos.length === 0) return [1];
  const lo = Math.floor(Math.log10(Math.min(...pos)));
  const hi = Math.ceil(Math.log10(Math.max(...pos)));
  const out: number[] = [];
  for (let e = lo; e <= Math.max(hi, lo + 1); e++) out.push(Number(`1e${e}`));
  return out;
}
