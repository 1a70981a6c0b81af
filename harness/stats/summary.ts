/**
 * Descriptive statistics of a small sample (one figure over a handful of repeats): median, the
 * spread between the extremes, and the coefficient of variation that noise-scaled thresholds use.
 * Pure functions over plain arrays; an empty sample has no median (NaN), never a made-up zero.
 */

export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** The q-quantile (0..1) by linear interpolation between order statistics (R's type 7). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = sorted(xs);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return (s[lo] as number) + (h - lo) * ((s[hi] as number) - (s[lo] as number));
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function stdev(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Coefficient of variation, stdev / |mean|; null when the mean is 0 (a count that never moved). */
export function cv(xs: readonly number[]): number | null {
  const m = mean(xs);
  if (!Number.isFinite(m) || m === 0) return null;
  return stdev(xs) / Math.abs(m);
}

/**
 * The robust coefficient of variation, 1.4826·MAD / |median|: the same as the CV for normal data,
 * but one stalled repeat on a busy machine does not inflate it. Null when the median is 0.
 */
export function robustCv(xs: readonly number[]): number | null {
  if (xs.length < 2) return xs.length === 1 ? 0 : null;
  const m = median(xs);
  if (m === 0) return null;
  return (1.4826 * median(xs.map((x) => Math.abs(x - m)))) / Math.abs(m);
}

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** (max − min) / |median|; null when the median is 0. */
  spread: number | null;
  cv: number | null;
  robustCv: number | null;
}

export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs);
  const m = median(s);
  return {
    n: s.length,
    median: m,
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
    spread: s.length === 0 || m === 0 ? null : ((s[s.length - 1] as number) - (s[0] as number)) / Math.abs(m),
    cv: cv(s),
    robustCv: robustCv(s),
  };
}
