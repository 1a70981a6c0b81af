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
  return bootstrapIntervals(base, cand, (b, c) => [statistic(b, c)], opts)[0] ?? null;
}

/** The same for several statistics computed from one resample (one merge serves all of them). */
export function bootstrapIntervals<T>(
  base: readonly T[],
  cand: readonly T[],
  statistic: (base: readonly T[], cand: readonly T[]) => readonly (number | null)[],
  opts: BootstrapOptions = {},
): ({ low: number; high: number } | null)[] {
  const iterations = opts.iterations ?? 1000;
  const confidence = opts.confidence ?? 0.95;
  const width = statistic(base, cand).length;
  if (base.length < 2 || cand.length < 2) return Array.from({ length: width }, () => null);
  const random = seededRandom(opts.seed ?? 1);
  const resample = (xs: readonly T[]) => xs.map(() => xs[Math.floor(random() * xs.length)] as T);
  const stats: number[][] = Array.from({ length: width }, () => []);
  for (let i = 0; i < iterations; i++) {
    const s = statistic(resample(base), resample(cand));
    s.forEach((v, j) => {
      if (v !== null && Number.isFinite(v)) stats[j]?.push(v);
    });
  }
  const tail = (1 - confidence) / 2;
  return stats.map((xs) =>
    xs.length === 0 ? null : { low: quantile(xs, tail), high: quantile(xs, 1 - tail) },
  );
}
