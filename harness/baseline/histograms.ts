/**
 * Latency distributions across repeats: each run keeps its HDR histograms (µs) in
 * results.json in hdr-histogram-js's compressed base64 form; here they are decoded, merged over a
 * set of repeats, and read at a percentile (ms, clamped to the true maximum as the run's own
 * figures are).
 */

import * as hdr from "hdr-histogram-js";
import type { Results } from "../results/types.ts";

export type LatencyKey = "publish" | "endToEnd";

export function encodedHistogram(r: Results, key: LatencyKey, corrected = true): string | undefined {
  const h = r.histograms?.[key];
  return h === undefined ? undefined : corrected ? h.corrected : h.uncorrected;
}

/**
 * Decodes each run's histogram once and merges any selection of them (the bootstrap merges the
 * same few histograms hundreds of times), reading several percentiles per merge.
 */
export function histogramPool(encoded: readonly string[]): {
  merge: (idx: readonly number[], ps: readonly number[]) => (number | null)[];
} {
  const decoded = encoded.map((e) => hdr.decodeFromCompressedBase64(e));
  return {
    merge(idx, ps) {
      const merged = hdr.build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 3_600_000_000,
        numberOfSignificantValueDigits: 3,
      });
      for (const i of idx) merged.add(decoded[i] as hdr.Histogram);
      return ps.map((p) =>
        merged.totalCount === 0
          ? null
          : Math.round(Math.min(merged.getValueAtPercentile(p), merged.maxValue)) / 1000,
      );
    },
  };
}
