/**
 * Latency histograms: HDR (hdr-histogram-js) at microsecond resolution with 3 significant digits,
 * up to one hour. Reported in milliseconds. HDR percentiles return the top of a value's bucket, so
 * they are clamped to the true maximum.
 */

import * as hdr from "hdr-histogram-js";
import type { PercentilePoint, Percentiles } from "../results/types.ts";

export class LatencyHistogram {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records a latency in µs (negative values, from clock jitter, count as 0). */
  record(us: number, count = 1): void {
    const v = us > 0 ? Math.min(Math.round(us), 3_600_000_000) : 0;
    if (count === 1) this.h.recordValue(v);
    else this.h.recordValueWithCount(v, count);
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** Percentile in ms, or null when empty. */
  at(p: number): number | null {
    if (this.h.totalCount === 0) return null;
    return ms(Math.min(this.h.getValueAtPercentile(p), this.h.maxValue));
  }

  percentiles(): Percentiles {
    const n = this.h.totalCount;
    if (n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    const max = this.h.maxValue;
    const at = (p: number) => ms(Math.min(this.h.getValueAtPercentile(p), max));
    return {
      count: n,
      mean: ms(this.h.mean),
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: ms(max),
    };
  }

  /**
   * The percentile curve HDR histograms are plotted with: points at 100·(1 − 2^(−k/5)), five per
   * halving of the remaining tail, until the tail is thinner than one sample, then the maximum.
   * Empty when nothing was recorded.
   */
  curve(): PercentilePoint[] {
    const n = this.h.totalCount;
    if (n === 0) return [];
    const max = this.h.maxValue;
    const out: PercentilePoint[] = [];
    for (let k = 0; ; k++) {
      const tail = 2 ** (-k / 5);
      if (tail * n < 1) break;
      const p = 100 * (1 - tail);
      out.push({
        percentile: Math.round(p * 1e6) / 1e6,
        ms: ms(Math.min(this.h.getValueAtPercentile(p), max)),
      });
    }
    out.push({ percentile: 100, ms: ms(max) });
    return out;
  }

  /** The histogram in HDR's compressed base64 form, mergeable across processes. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }
}

function ms(us: number): number {
  return Math.round(us) / 1000;
}
