/**
 * The data of the trend page: every run found under a folder (run, suite and repeat-set
 * directories alike), grouped by scenario and commit in the order the commits were first run;
 * each point is the median of that commit's runs for one key figure, flagged as a change point by
 * the lookback z-score over the points before it. Pure over the runs read.
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { figureValue } from "../../harness/compare/figures.ts";
import type { Results } from "../../harness/results/types.ts";
import { lookbackZ } from "../../harness/stats/change-point.ts";
import { median } from "../../harness/stats/summary.ts";

export const TREND_FIGURES: { path: string; label: string; unit: string }[] = [
  { path: "throughput.ackedPerSec", label: "acked throughput", unit: "msg/s" },
  { path: "latency.publish.corrected.p99", label: "publish p99", unit: "ms" },
  { path: "latency.endToEnd.corrected.p50", label: "end-to-end p50", unit: "ms" },
  { path: "latency.endToEnd.corrected.p99", label: "end-to-end p99", unit: "ms" },
];

export interface FoundRun {
  dir: string;
  results: Results;
}

/** Every run directory under `root` (at most `depth` folders down), skipping broken results. */
export function findRuns(root: string, depth = 4): FoundRun[] {
  const out: FoundRun[] = [];
  const walk = (dir: string, left: number) => {
    const file = join(dir, "results.json");
    if (existsSync(file)) {
      try {
        const r = JSON.parse(readFileSync(file, "utf8")) as Results;
        if (r && r.schemaVersion === 1 && typeof r.scenario === "string") out.push({ dir, results: r });
      } catch {
        // Not a finished run.
      }
      return;
    }
    if (left === 0) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (!name.startsWith(".") && statSync(p).isDirectory()) walk(p, left - 1);
    }
  };
  walk(root, depth);
  return out;
}

export interface TrendPoint {
  scenario: string;
  figure: string;
  commit: string;
  /** First time this commit was run (ISO). */
  at: string;
  index: number;
  value: number;
  runs: number;
  z: number | null;
  changed: boolean;
  /** A run's report of this commit (the one nearest the median), when it has one. */
  report: string | null;
}

export function trendPoints(runs: readonly FoundRun[], threshold = 5): TrendPoint[] {
  const points: TrendPoint[] = [];
  const scenarios = [...new Set(runs.map((r) => r.results.scenario))].sort();
  for (const scenario of scenarios) {
    const mine = runs
      .filter((r) => r.results.scenario === scenario && r.results.status !== "errored")
      .sort((a, b) => a.results.startedAt.localeCompare(b.results.startedAt));
    const commits: string[] = [];
    const byCommit = new Map<string, FoundRun[]>();
    for (const r of mine) {
      const c = r.results.environment?.gitCommit ?? "unknown";
      if (!byCommit.has(c)) {
        commits.push(c);
        byCommit.set(c, []);
      }
      byCommit.get(c)?.push(r);
    }
    for (const f of TREND_FIGURES) {
      const series = commits
        .map((commit) => {
          const list = byCommit.get(commit) ?? [];
          const vals = list
            .map((r) => ({ r, v: figureValue(r.results, f.path) }))
            .filter((x): x is { r: FoundRun; v: number } => typeof x.v === "number");
          if (vals.length === 0) return undefined;
          const m = median(vals.map((x) => x.v));
          const nearest = [...vals].sort((a, b) => Math.abs(a.v - m) - Math.abs(b.v - m))[0]?.r;
          const report =
            nearest && existsSync(join(nearest.dir, "report.html")) ? join(nearest.dir, "report.html") : null;
          return { commit, at: list[0]?.results.startedAt ?? "", value: m, runs: vals.length, report };
        })
        .filter((x) => x !== undefined);
      const z = lookbackZ(
        series.map((s) => s.value),
        { threshold },
      );
      series.forEach((s, i) => {
        points.push({
          scenario,
          figure: f.path,
          ...s,
          index: i,
          z: z[i]?.z ?? null,
          changed: z[i]?.changed ?? false,
        });
      });
    }
  }
  return points;
}
