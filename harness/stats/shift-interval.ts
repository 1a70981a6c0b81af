/**
 * How far the candidate moved from the baseline, with a distribution-free confidence interval: the
 * Hodges–Lehmann shift (the median of every candidate − baseline difference) and Moses' interval,
 * the k-th smallest and k-th largest of those differences, with k from the Mann–Whitney null
 * distribution (exact when it applies, as R's wilcox.test(conf.int = TRUE) computes it; the normal
 * approximation otherwise). With too few repeats no interval reaches the asked confidence, and
 * none is given.
 */

import { uDistribution } from "./mann-whitney.ts";
import { normalQuantile } from "./normal.ts";
import { median } from "./summary.ts";

export interface ShiftInterval {
  /** Hodges–Lehmann estimate of candidate − baseline. */
  estimate: number;
  /** Null when the samples are too small for the confidence level. */
  low: number | null;
  high: number | null;
  /** The confidence actually achieved (exact intervals are conservative). */
  confidence: number | null;
}

/** The index k (1-based) of the lower end among m·n sorted differences, or null if none fits. */
export function mosesRank(
  m: number,
  n: number,
  confidence: number,
  exact: boolean,
): { k: number; achieved: number } | null {
  const alpha = 1 - confidence;
  if (exact) {
    const counts = uDistribution(m, n);
    let total = 0;
    for (const c of counts) total += c;
    // Largest k with 2·P(U ≤ k − 1) ≤ α.
    let cum = 0;
    let k = 0;
    for (let u = 0; u < counts.length; u++) {
      if ((2 * (cum + (counts[u] as number))) / total > alpha) break;
      cum += counts[u] as number;
      k = u + 1;
    }
    if (k === 0) return null;
    return { k, achieved: 1 - (2 * cum) / total };
  }
  const z = normalQuantile(1 - alpha / 2);
  const k = Math.floor((m * n) / 2 - z * Math.sqrt((m * n * (m + n + 1)) / 12));
  if (k < 1) return null;
  return { k, achieved: confidence };
}

export function shiftInterval(
  base: readonly number[],
  cand: readonly number[],
  confidence = 0.95,
): ShiftInterval {
  const diffs: number[] = [];
  for (const c of cand) for (const b of base) diffs.push(c - b);
  diffs.sort((a, b) => a - b);
  const estimate = median(diffs);
  const m = base.length;
  const n = cand.length;
  const tied = new Set([...base, ...cand]).size < m + n;
  const r = m > 0 && n > 0 ? mosesRank(m, n, confidence, !tied && m < 50 && n < 50) : null;
  if (!r) return { estimate, low: null, high: null, confidence: null };
  return {
    estimate,
    low: diffs[r.k - 1] as number,
    high: diffs[m * n - r.k] as number,
    confidence: r.achieved,
  };
}
