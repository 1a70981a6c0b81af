/**
 * The figures of a results.json as flat dotted paths (`throughput.ackedPerSec`,
 * `faults.kill-a1.recoveryMs`), and which of them a regression gate watches: the key performance
 * figures, which way is better for each, and the correctness counts that fail a candidate on a
 * single run. Paths are the same ones `expect:` uses, so a scenario names figures one way.
 */

import type { Results } from "../results/types.ts";

/** Subtrees that are series, curves, encoded histograms or descriptions, not figures. */
const NOT_FIGURES = new Set([
  "series",
  "checks",
  "nodes",
  "histograms",
  "environment",
  "window",
  "deliveredBy",
  "seed",
  "schemaVersion",
]);

/** Every numeric leaf of results.json by path; faults are keyed by name, nulls are kept as null. */
export function flattenFigures(r: Results): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const walk = (v: unknown, path: string) => {
    if (typeof v === "number") out[path] = v;
    else if (v === null) out[path] = null;
    else if (typeof v === "object" && !Array.isArray(v))
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (path === "" && NOT_FIGURES.has(k)) continue;
        if (path === "latency" && k === "distribution") continue;
        walk(x, path === "" ? k : `${path}.${k}`);
      }
  };
  walk(r, "");
  for (const f of r.faults ?? []) walk(f, `faults.${f.name}`);
  delete out.faults;
  return out;
}

export type Better = "higher" | "lower";

export interface FigureSpec {
  path: string;
  label: string;
  unit: "ms" | "msg/s" | "messages";
  better: Better;
  /** The smallest relative change (0.05 = 5%) called a regression, before noise scaling. */
  threshold: number;
  /** Correctness counts regress on one run when the baseline never had any. */
  kind: "performance" | "correctness";
}

const LATENCY_LABEL: Record<string, string> = { publish: "publish", endToEnd: "end-to-end" };

/** The figures the gate compares for one scenario's runs (faults by the names the runs used). */
export function gatedFigures(runs: readonly Results[]): FigureSpec[] {
  const specs: FigureSpec[] = [
    {
      path: "throughput.ackedPerSec",
      label: "acked throughput",
      unit: "msg/s",
      better: "higher",
      threshold: 0.05,
      kind: "performance",
    },
    {
      path: "throughput.deliveredPerSec",
      label: "delivered throughput",
      unit: "msg/s",
      better: "higher",
      threshold: 0.05,
      kind: "performance",
    },
  ];
  for (const l of ["publish", "endToEnd"] as const)
    for (const [p, threshold] of [
      ["p50", 0.1],
      ["p99", 0.15],
      ["p999", 0.25],
    ] as const)
      specs.push({
        path: `latency.${l}.corrected.${p}`,
        label: `${LATENCY_LABEL[l]} ${p} (from intended send)`,
        unit: "ms",
        better: "lower",
        threshold,
        kind: "performance",
      });
  const faults = [...new Set(runs.flatMap((r) => r.faults.map((f) => f.name)))];
  for (const f of faults) {
    specs.push({
      path: `faults.${f}.unavailableMs`,
      label: `fault ${f}: unavailable`,
      unit: "ms",
      better: "lower",
      threshold: 0.25,
      kind: "performance",
    });
    specs.push({
      path: `faults.${f}.recoveryMs`,
      label: `fault ${f}: recovery`,
      unit: "ms",
      better: "lower",
      threshold: 0.25,
      kind: "performance",
    });
  }
  specs.push({
    path: "delivery.duplicated",
    label: "duplicated",
    unit: "messages",
    better: "lower",
    threshold: 0.25,
    kind: "performance",
  });
  for (const k of ["lost", "corrupted", "unexpected", "failedButDelivered"]) {
    // `corrupted` exists only in results that measure it.
    if (
      k === "corrupted" &&
      !runs.some((r) => typeof (r.delivery as unknown as Record<string, unknown>)[k] === "number")
    )
      continue;
    specs.push({
      path: `delivery.${k}`,
      label: k,
      unit: "messages",
      better: "lower",
      threshold: 0,
      kind: "correctness",
    });
  }
  return specs;
}

/** The value of a path in one run: a number, null (measured as "never", e.g. no recovery), or undefined (absent). */
export function figureValue(r: Results, path: string): number | null | undefined {
  const flat = flattenFigures(r);
  return path in flat ? flat[path] : undefined;
}
