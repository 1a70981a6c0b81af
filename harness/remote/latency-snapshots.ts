/**
 * Per-second publish-latency histograms (HDR, µs, from the intended send time) on a worker, shipped
 * in hdr-histogram-js's compressed base64 encoding and merged on the coordinator with `add`, as
 * OpenMessaging Benchmark ships its workers' histograms. Ranges and precision match
 * harness/metrics/histogram.ts so merged figures are comparable with the history's.
 */

import * as hdr from "hdr-histogram-js";
import type { HistogramSnapshot } from "./protocol.ts";

const build = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

const clamp = (us: number) => (us > 0 ? Math.min(Math.round(us), 3_600_000_000) : 0);

/** Worker side: record acks into the second they fell in, hand out finished seconds once. */
export class SecondHistograms {
  private readonly open = new Map<number, hdr.Histogram>();

  record(atUs: number, latencyUs: number): void {
    const s = Math.max(0, Math.floor(atUs / 1e6));
    let h = this.open.get(s);
    if (!h) {
      h = build();
      this.open.set(s, h);
    }
    h.recordValue(clamp(latencyUs));
  }

  /** Snapshots of the seconds before `nowUs`'s (all of them when `all`), oldest first. */
  take(nowUs: number, all: boolean): HistogramSnapshot[] {
    const cur = Math.floor(nowUs / 1e6);
    const out: HistogramSnapshot[] = [];
    for (const s of [...this.open.keys()].sort((a, b) => a - b)) {
      if (!all && s >= cur) continue;
      const h = this.open.get(s) as hdr.Histogram;
      out.push({ second: s, hdr: hdr.encodeIntoCompressedBase64(h) });
      h.destroy();
      this.open.delete(s);
    }
    return out;
  }
}

/** Coordinator side: the sum of every snapshot received. */
export class MergedHistogram {
  private readonly total = build();

  add(snapshot: HistogramSnapshot): number {
    const h = hdr.decodeFromCompressedBase64(snapshot.hdr);
    const n = h.totalCount;
    this.total.add(h);
    h.destroy();
    return n;
  }

  get count(): number {
    return this.total.totalCount;
  }

  /** count and p50/p90/p99/p999/max in ms (percentiles clamped to the true maximum). */
  summary(): { count: number; p50: number; p90: number; p99: number; p999: number; max: number } {
    const max = this.total.maxValue;
    const at = (p: number) => Math.round(Math.min(this.total.getValueAtPercentile(p), max)) / 1000;
    if (this.total.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: this.total.totalCount,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: max / 1000,
    };
  }
}
