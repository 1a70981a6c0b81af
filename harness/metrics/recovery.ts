/**
 * Availability around a fault, from the times at which acks arrived. The unavailable window is the
 * longest stretch without a single ack, counted from the fault's start; recovery is the time from
 * the heal until acked throughput is back to at least 90% of the pre-fault mean and stays there
 * for 3 s (every 1 s window in those 3 s, checked in 100 ms steps).
 */

export const BIN_US = 100_000;

export interface AckTimeline {
  /** Messages acked per 100 ms bin, bin 0 starting at t = 0. */
  bins: Float64Array;
  /** Sorted ack times (µs) of each acked request. */
  ackTimesUs: Float64Array;
}

/** Mean acked messages/s over [fromUs, toUs). */
export function meanRate(tl: AckTimeline, fromUs: number, toUs: number): number {
  const a = Math.max(0, Math.floor(fromUs / BIN_US));
  const b = Math.min(tl.bins.length, Math.floor(toUs / BIN_US));
  if (b <= a) return 0;
  let sum = 0;
  for (let i = a; i < b; i++) sum += tl.bins[i] as number;
  return sum / (((b - a) * BIN_US) / 1e6);
}

/**
 * First time ≥ healUs (µs) from which every 1 s window in the next 3 s holds ≥ 90% of `baseline`
 * acks/s; undefined if that never happens before `endUs`.
 */
export function recoveredAt(
  tl: AckTimeline,
  healUs: number,
  baseline: number,
  endUs: number,
): number | undefined {
  // Nothing to be back to: a zero baseline says nothing about recovery.
  if (baseline <= 0) return undefined;
  const need = 0.9 * baseline;
  const perSecond = (startBin: number) => {
    let s = 0;
    for (let i = startBin; i < startBin + 10; i++) s += (tl.bins[i] as number | undefined) ?? 0;
    return s;
  };
  const first = Math.ceil(healUs / BIN_US);
  const lastStart = Math.floor(endUs / BIN_US) - 30;
  for (let b = first; b <= lastStart; b++) {
    let ok = true;
    for (let w = b; w <= b + 20; w++) {
      if (perSecond(w) < need) {
        ok = false;
        break;
      }
    }
    if (ok) return b * BIN_US;
  }
  return undefined;
}

/** Longest gap (µs) between acks in [fromUs, toUs], counting the edges of the window. */
export function longestGap(tl: AckTimeline, fromUs: number, toUs: number): number {
  let prev = fromUs;
  let gap = 0;
  for (const t of tl.ackTimesUs) {
    if (t < fromUs) continue;
    if (t > toUs) break;
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return Math.max(gap, toUs - prev);
}
