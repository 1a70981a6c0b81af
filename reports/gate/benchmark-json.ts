/**
 * The candidate's figures in the JSON that github-action-benchmark and similar trackers ingest:
 * `[{name, unit, value, range, extra}]`. That format has one direction per file, so smaller-is-better
 * figures (latencies, fault times, counts) go to benchmark.json (tool: customSmallerIsBetter) and
 * bigger-is-better ones (throughput) to benchmark-bigger.json (tool: customBiggerIsBetter).
 */

import type { Comparison } from "../../harness/compare/compare.ts";
import { pct, pText } from "./rows.ts";

export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export function benchmarkEntries(c: Comparison): { smaller: BenchmarkEntry[]; bigger: BenchmarkEntry[] } {
  const smaller: BenchmarkEntry[] = [];
  const bigger: BenchmarkEntry[] = [];
  for (const s of c.scenarios) {
    for (const f of s.figures) {
      if (!Number.isFinite(f.cand.median)) continue;
      const r3 = (x: number) => Math.round(x * 1000) / 1000;
      const entry: BenchmarkEntry = {
        name: `${s.scenario} ${f.spec.path}`,
        unit: f.spec.unit,
        value: r3(f.cand.median),
        ...(f.cand.n > 1 ? { range: `${r3(f.cand.min)}..${r3(f.cand.max)}` } : {}),
        extra: `median of ${f.cand.n} run(s); baseline ${r3(f.base.median)}, change ${pct(f.change)}, p ${pText(f.p)}, ${f.verdict}`,
      };
      (f.spec.better === "higher" ? bigger : smaller).push(entry);
    }
  }
  return { smaller, bigger };
}
