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

/** The coefficient of variation of each gated performance figure (null where the mean is 0). */
export function keyFigureCv(runs: readonly Results[], agg: ScenarioAggregate): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const spec of gatedFigures(runs)) {
    if (spec.kind !== "performance") continue;
    const s = agg.figures[spec.path];
    if (s) out[spec.path] = s.cv;
  }
  return out;
}
