/**
 * Availability on 100 ms buckets. A bucket is unavailable when its ack rate is below
 * UNAVAILABLE_FRACTION (50%) of the baseline rate; `unavailableMs` is the longest run of such
 * buckets, so one ack in ten during an outage still reads as an outage (the longest gap between two
 * acks, kept as `maxAckGapMs`, would not). The baseline is the mean rate of the last stretch of at
 * least MIN_BASELINE_US without any fault active, after the warmup; without one, the offered rate
 * of each bucket stands in for it.
 */

import { type AckTimeline, BIN_US } from "./recovery.ts";

/** An unavailable bucket holds fewer acks than this fraction of the baseline's. */
export const UNAVAILABLE_FRACTION = 0.5;
/** The shortest fault-free stretch that gives a baseline. */
export const MIN_BASELINE_US = 1_000_000;

export interface Window {
  startUs: number;
  endUs: number;
}

/**
 * The last fault-free stretch of at least MIN_BASELINE_US inside [warmupUs, beforeUs): the gaps
 * between the fault windows, latest first. Undefined when there is none.
 */
export function baselineStretch(
  windows: readonly Window[],
  warmupUs: number,
  beforeUs: number,
): Window | undefined {
  // Gaps between the union of the windows, within [warmupUs, beforeUs).
  const sorted = [...windows].filter((w) => w.startUs < beforeUs).sort((a, b) => a.startUs - b.startUs);
  const gaps: Window[] = [];
  let cursor = warmupUs;
  for (const w of sorted) {
    if (w.startUs > cursor) gaps.push({ startUs: cursor, endUs: Math.min(w.startUs, beforeUs) });
    cursor = Math.max(cursor, w.endUs);
  }
  if (cursor < beforeUs) gaps.push({ startUs: cursor, endUs: beforeUs });
  for (let i = gaps.length - 1; i >= 0; i--) {
    const g = gaps[i] as Window;
    // Whole buckets only, so the mean is not diluted by a partial bucket at either end.
    const a = Math.ceil(g.startUs / BIN_US) * BIN_US;
    const b = Math.floor(g.endUs / BIN_US) * BIN_US;
    if (b - a >= MIN_BASELINE_US) return { startUs: a, endUs: b };
  }
  return undefined;
}

/**
 * Longest run (µs) of buckets below UNAVAILABLE_FRACTION of `expected(bucket)` acks, scanning
 * from the bucket holding `fromUs` until the first good bucket that starts at or after `healUs`,
 * never past `limitUs` (the next fault's start or the end of the load).
 */
export function unavailableRun(
  acks: AckTimeline,
  expected: (bucket: number) => number,
  fromUs: number,
  healUs: number,
  limitUs: number,
): number {
  const first = Math.floor(fromUs / BIN_US);
  const last = Math.ceil(limitUs / BIN_US);
  let run = 0;
  let best = 0;
  for (let b = first; b < last; b++) {
    const want = expected(b);
    const got = (acks.bins[b] as number | undefined) ?? 0;
    const low = want > 0 && got < UNAVAILABLE_FRACTION * want;
    if (low) {
      // A bucket cut by the limit counts only for the part before it.
      run += Math.min(BIN_US, limitUs - b * BIN_US);
      best = Math.max(best, run);
    } else {
      run = 0;
      if (b * BIN_US >= healUs) break;
    }
  }
  return best;
}

/** Messages offered (intended) per 100 ms bucket, from the schedule. */
export function offeredBins(intended: readonly ArrayLike<number>[], buckets: number): Float64Array {
  const out = new Float64Array(buckets);
  for (const list of intended) {
    for (let i = 0; i < list.length; i++) {
      const t = list[i] as number;
      const b = Math.floor(t / BIN_US);
      if (b >= 0 && b < buckets) out[b] = (out[b] as number) + 1;
    }
  }
  return out;
}
