/**
 * The Mann–Whitney U test (Wilcoxon rank-sum), the two-sample test benchstat and google/benchmark
 * use for repeated benchmark runs: it assumes no distribution, only that the repeats of each side
 * are independent. Two-sided. Exact p-values from the null distribution of U when both samples are
 * small and have no ties (as R's wilcox.test does below 50 per side); otherwise the normal
 * approximation with the tie-corrected variance and a continuity correction.
 */

import { normalCdf } from "./normal.ts";

export interface MannWhitney {
  /** U of the first sample: pairs (x, y) with x > y, ties counting one half. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: "exact" | "normal";
  n1: number;
  n2: number;
}

/** The counts of each U value for samples of m and n without ties: counts[u] of C(m+n, m) orderings. */
export function uDistribution(m: number, n: number): Float64Array {
  // f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u): the largest value belongs to one side or the
  // other. Built up over n for every m at once, one row per m.
  const max = m * n;
  let prev: Float64Array[] = []; // prev[i] = distribution for (i, j − 1)
  for (let j = 0; j <= n; j++) {
    const cur: Float64Array[] = [];
    for (let i = 0; i <= m; i++) {
      const d = new Float64Array(max + 1);
      if (i === 0 || j === 0) d[0] = 1;
      else {
        const left = cur[i - 1] as Float64Array; // (i − 1, j): shift by j
        const up = prev[i] as Float64Array; // (i, j − 1)
        for (let u = 0; u <= i * j; u++) d[u] = (u >= j ? (left[u - j] as number) : 0) + (up[u] as number);
      }
      cur.push(d);
    }
    prev = cur;
  }
  return prev[m] as Float64Array;
}

/**
 * The smallest two-sided p-value the exact test can give for samples of m and n: every value of one
 * side beyond every value of the other, 2 / C(m+n, m). When it is not below alpha, no difference,
 * however large, can be called significant (3 vs 3 gives 0.1).
 */
export function smallestP(m: number, n: number): number {
  if (m === 0 || n === 0) return 1;
  let orderings = 1;
  for (let i = 1; i <= Math.min(m, n); i++) orderings = (orderings * (m + n - Math.min(m, n) + i)) / i;
  return Math.min(1, 2 / orderings);
}

/** Two-sided exact p-value: twice the smaller tail at U, capped at 1. */
export function exactP(u: number, m: number, n: number): number {
  const counts = uDistribution(m, n);
  let total = 0;
  for (const c of counts) total += c;
  // U is a whole number without ties.
  const k = Math.round(u);
  let lower = 0;
  for (let i = 0; i <= k; i++) lower += counts[i] as number;
  let upper = 0;
  for (let i = k; i <= m * n; i++) upper += counts[i] as number;
  return Math.min(1, (2 * Math.min(lower, upper)) / total);
}

/** Midranks (1-based) of the pooled sample, and Σ(t³ − t) over the tie groups. */
export function ranks(pooled: readonly number[]): { ranks: number[]; tieTerm: number } {
  const idx = pooled.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(pooled.length);
  let tieTerm = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (
      j + 1 < idx.length &&
      (idx[j + 1] as readonly [number, number])[0] === (idx[i] as readonly [number, number])[0]
    )
      j++;
    const t = j - i + 1;
    const r = (i + 1 + j + 1) / 2;
    for (let k = i; k <= j; k++) out[(idx[k] as readonly [number, number])[1]] = r;
    if (t > 1) tieTerm += t ** 3 - t;
    i = j + 1;
  }
  return { ranks: out, tieTerm };
}

export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitney {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: Number.NaN, p: 1, method: "exact", n1, n2 };
  const { ranks: r, tieTerm } = ranks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += r[i] as number;
  const u = r1 - (n1 * (n1 + 1)) / 2;
  if (tieTerm === 0 && n1 < 50 && n2 < 50) return { u, p: exactP(u, n1, n2), method: "exact", n1, n2 };
  const nn = n1 + n2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (nn + 1 - tieTerm / (nn * (nn - 1)));
  if (variance <= 0) return { u, p: 1, method: "normal", n1, n2 };
  const d = u - mu;
  const z = (d - Math.sign(d) * 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * normalCdf(-Math.abs(z))), method: "normal", n1, n2 };
}
