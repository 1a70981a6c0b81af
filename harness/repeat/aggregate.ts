/**
 * The aggregate of a repeat set: for each scenario, every figure of results.json summarized over
 * the repeats (median, min, max, spread, coefficient of variation), and the key figures' CV as a
 * noise table. Pure over the runs' results.
 */

import type { SampleSet } from "../baseline/sample-set.ts";
import { flattenFigures, gatedFigures } from "../compare/figures.ts";
import type { Results } from "../results/types.ts";
import { type Summary, summarize } from "../stats/summary.ts";

export interface ScenarioAggregate {
  runs: number;
  statuses: Record<string, number>;
  /** Every figure by path; `never` counts the runs where it was null (e.g. no recovery). */
  figures: Record<string, Summary & { never: number }>;
}

export function aggregateRuns(runs: readonly Results[]): ScenarioAggregate {
  const values = new Map<string, { nums: number[]; never: number }>();
  const statuses: Record<string, number> = {};
  for (const r of runs) {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === "errored") continue;
    for (const [path, v] of Object.entries(flattenFigures(r))) {
      const e = values.get(path) ?? { nums: [], never: 0 };
      if (v === null) e.never++;
      else e.nums.push(v);
      values.set(path, e);
    }
  }
  const figures: ScenarioAggregate["figures"] = {};
  for (const [path, e] of values) figures[path] = { ...summarize(e.nums), never: e.never };
  return { runs: runs.length, statuses, figures };
}

export function aggregateSet(set: SampleSet): Record<string, ScenarioAggregate> {
  const out: Record<string, ScenarioAggregate> = {};
  for (const [name, runs] of set.scenarios) out[name] = aggregateRuns(runs.map((r) => r.results));
  return out;
}

export interface FigureNoise {
  cv: number | null;
  robustCv: number | null;
}

/** The noise of each gated performance figure (null where the mean or median is 0). */
export function keyFigureNoise(
  runs: readonly Results[],
  agg: ScenarioAggregate,
): Record<string, FigureNoise> {
  const out: Record<string, FigureNoise> = {};
  for (const spec of gatedFigures(runs)) {
    if (spec.kind !== "performance") continue;
    const s = agg.figures[spec.path];
    if (s) out[spec.path] = { cv: s.cv, robustCv: s.robustCv };
  }
  return out;
}

/** The key figures of each scenario over the repeats, as the text printed after `run --repeat`. */
export function aggregateText(
  aggregate: Record<string, ScenarioAggregate>,
  noise: Record<string, Record<string, FigureNoise>>,
): string {
  const pc = (x: number | null | undefined) =>
    x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
  const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : "—");
  const lines: string[] = [];
  for (const [name, agg] of Object.entries(aggregate)) {
    const statuses = Object.entries(agg.statuses)
      .map(([s, n]) => `${n} ${s}`)
      .join(", ");
    lines.push(`${name}: ${agg.runs} runs (${statuses})`);
    lines.push(
      `  ${"figure".padEnd(34)} ${"median".padStart(9)} ${"min".padStart(9)} ${"max".padStart(9)} ${"CV".padStart(7)} ${"rob. CV".padStart(7)}`,
    );
    for (const [path, n] of Object.entries(noise[name] ?? {})) {
      const s = agg.figures[path];
      if (!s) continue;
      lines.push(
        `  ${path.padEnd(34)} ${num(s.median).padStart(9)} ${num(s.min).padStart(9)} ${num(s.max).padStart(9)} ${pc(n.cv).padStart(7)} ${pc(n.robustCv).padStart(7)}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
