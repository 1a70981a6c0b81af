/**
 * The gate's rows in reading order, shared by every output (markdown, JUnit, HTML): regressions
 * first (largest worse move first), then changes that were not significant, then the rest; a
 * correctness count that stayed 0 on both sides is left out as nothing to read.
 */

import type { Comparison, FigureComparison } from "../../harness/compare/compare.ts";
import { int, ms } from "../format.ts";

const ORDER: Record<FigureComparison["verdict"], number> = {
  regression: 0,
  "not significant": 1,
  "not comparable": 2,
  improvement: 3,
  "within threshold": 4,
};

function worseBy(f: FigureComparison): number {
  if (f.change === null) return Number.POSITIVE_INFINITY;
  return f.change * (f.threshold.worse === "up" ? 1 : -1);
}

export function orderedRows(c: Comparison): FigureComparison[] {
  return c.scenarios
    .flatMap((s) => s.figures)
    .filter((f) => !(f.spec.kind === "correctness" && f.base.max === 0 && f.cand.max === 0))
    .sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || worseBy(b) - worseBy(a));
}

export function value(f: FigureComparison, v: number): string {
  if (!Number.isFinite(v)) return "—";
  return f.spec.unit === "ms" ? ms(v) : f.spec.unit === "msg/s" ? `${int(v)}/s` : int(v);
}

export function pct(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "—";
  const v = x * 100;
  return `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v).toFixed(1)}%`;
}

export function intervalText(f: FigureComparison): string {
  return f.interval ? `${pct(f.interval.low)} … ${pct(f.interval.high)}` : "—";
}

export function thresholdText(f: FigureComparison): string {
  if (f.spec.kind === "correctness") return "any new";
  const src =
    f.threshold.source === "noise" ? ` (2×CV)` : f.threshold.source === "scenario" ? " (scenario)" : "";
  return `${f.threshold.worse === "up" ? "+" : "−"}${(f.threshold.relative * 100).toFixed(0)}%${src}`;
}

export function pText(p: number | null): string {
  return p === null ? "—" : p < 0.001 ? "<0.001" : p.toFixed(3);
}

export function summaryLine(c: Comparison): string {
  const regressions = orderedRows(c).filter((f) => f.verdict === "regression");
  const checks = c.scenarios.flatMap((s) => s.newlyFailedChecks.map((k) => `${s.scenario}: ${k.name}`));
  if (c.exitCode === 3)
    return `BROKEN RUN: ${c.scenarios
      .flatMap((s) => s.broken.map((b) => `${s.scenario} (${b.message})`))
      .join("; ")}`;
  if (c.exitCode === 1) {
    const parts = [
      ...regressions.map((f) => `${f.scenario}: ${f.spec.label}`),
      ...checks.map((x) => `${x} failed`),
    ];
    return `REGRESSION: ${parts.join("; ")}`;
  }
  const undecided = c.scenarios.flatMap((s) => s.undecided.map((u) => `${s.scenario}: ${u}`));
  // "No regression" is a claim; with too few repeats or a worse move inside the noise it is not one.
  if (undecided.length > 0)
    return `no regression shown, but CANNOT JUDGE: ${undecided.join("; ")} (more repeats, --repeat N, or a quieter machine would decide)`;
  return "no regression";
}

/** A signed time: +5.02 ms, −1,763 ms. */
export function signedMs(x: number): string {
  return `${x > 0 ? "+" : x < 0 ? "−" : "±"}${ms(Math.abs(x))}`;
}

/** A bootstrap interval of a shift in ms. */
export function msInterval(i: { low: number; high: number } | null): string {
  return i ? `${signedMs(i.low)} … ${signedMs(i.high)}` : "—";
}
