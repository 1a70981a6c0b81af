/**
 * Change points in a figure's history, the way Conbench's lookback z-score finds them: each point
 * is compared with the points before it (up to `lookback` of them) after dropping outliers further
 * than 10 IQRs from their median; z = (value − mean) / standard deviation of that window, and
 * |z| ≥ threshold (5 by default) flags a change. Too short a history (fewer than `minHistory`
 * points) or a window without spread gives no z.
 */

import { mean, quantile, stdev } from "./summary.ts";

export interface ZPoint {
  z: number | null;
  changed: boolean;
}

export function lookbackZ(
  values: readonly number[],
  opts: { lookback?: number; threshold?: number; minHistory?: number } = {},
): ZPoint[] {
  const lookback = opts.lookback ?? 100;
  const threshold = opts.threshold ?? 5;
  const minHistory = opts.minHistory ?? 3;
  return values.map((v, i) => {
    const prior = values.slice(Math.max(0, i - lookback), i).filter(Number.isFinite);
    if (prior.length < minHistory || !Number.isFinite(v)) return { z: null, changed: false };
    const mid = quantile(prior, 0.5);
    const iqr = quantile(prior, 0.75) - quantile(prior, 0.25);
    const kept = iqr > 0 ? prior.filter((x) => Math.abs(x - mid) <= 10 * iqr) : prior;
    const sd = stdev(kept);
    if (sd === 0) return { z: null, changed: false };
    const z = (v - mean(kept)) / sd;
    return { z, changed: Math.abs(z) >= threshold };
  });
}
