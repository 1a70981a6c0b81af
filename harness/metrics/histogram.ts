/**
 * Latency histograms: HDR (hdr-histogram-js) at microsecond resolution with 3 significant digits,
 * up to one hour. Reported in milliseconds. HDR percentiles return the top of a value's bucket, so
 * they are clamped to the true maximum.
 */

import * as hdr from "hdr-histogram-js";
import type { Percentiles } from "../results/types.ts";

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

  /** The histogram in HDR's compressed base64 form, mergeable across processes. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }
}

function ms(us: number): number {
  return Math.round(us) / 1000;
}
