/**
 * A seeded percentile bootstrap over repeats: each side is resampled with replacement (the repeat
 * is the unit, since messages within one run are not independent), the statistic is recomputed,
 * and the interval is read off the middle of the resampled statistics. The same seed gives the
 * same interval, so a compare run twice prints the same numbers.
 */

import { seededRandom } from "../generator/random.ts";
import { quantile } from "./summary.ts";

export interface BootstrapOptions {
  iterations?: number;
  confidence?: number;
  seed?: number;
}

export function bootstrapInterval<T>(
  base: readonly T[],
  cand: readonly T[],
  statistic: (base: readonly T[], cand: readonly T[]) => number,
  opts: BootstrapOptions = {},
): { low: number; high: number } | null {
  const iterations = opts.iterations ?? 1000;
  const confidence = opts.confidence ?? 0.95;
  if (base.length < 2 || cand.length < 2) return null;
  const random = seededRandom(opts.seed ?? 1);
  const resample = (xs: readonly T[]) => xs.map(() => xs[Math.floor(random() * xs.length)] as T);
  const stats: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const s = statistic(resample(base), resample(cand));
    if (Number.isFinite(s)) stats.push(s);
  }
  if (stats.length === 0) return null;
  const tail = (1 - confidence) / 2;
  return { low: quantile(stats, tail), high: quantile(stats, 1 - tail) };
}
