/**
 * The open-loop schedule of the raw end-to-end producer: record g is due at t0 + g/rate. Pure, so
 * the off-by-one that matters here (a record counted due one interval late adds 1/rate to every
 * latency, 100 ms at 10 records/s) is tested on its own.
 */

/** How many records (0 … n−1) are due `elapsedNs` after t0, at most `total`. */
export function dueCount(elapsedNs: number, nsPerRecord: number, total: number): number {
  if (elapsedNs < 0) return 0;
  return Math.min(total, Math.floor(elapsedNs / nsPerRecord) + 1);
}
