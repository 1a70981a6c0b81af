/**
 * Clock offset between the coordinator and a remote worker, as NTP estimates it: each round trip
 * gives the coordinator's send time t0, the worker's clock reading t1, and the coordinator's
 * receive time t3. Then offset = t1 − (t0 + t3)/2 and the true offset lies within ±RTT/2 of it
 * (the worker read its clock somewhere inside the round trip). Of several round trips the one with
 * the smallest RTT bounds the error most tightly, so it is the estimate. Pure.
 */

export interface ClockSample {
  /** Coordinator clock when the request left, µs. */
  sentUs: number;
  /** Worker clock when it answered, µs. */
  workerUs: number;
  /** Coordinator clock when the answer came back, µs. */
  receivedUs: number;
}

export interface OffsetEstimate {
  /** Worker clock minus coordinator clock, µs. */
  offsetUs: number;
  /** The smallest round trip seen, µs. */
  rttUs: number;
  /** Bound on the estimate's error, µs: half the smallest round trip. */
  errorUs: number;
  samples: number;
}

export function estimateOffset(samples: readonly ClockSample[]): OffsetEstimate {
  if (samples.length === 0) throw new RangeError("no clock samples");
  let best: ClockSample | undefined;
  for (const s of samples) {
    if (s.receivedUs < s.sentUs) continue;
    if (!best || s.receivedUs - s.sentUs < best.receivedUs - best.sentUs) best = s;
  }
  if (!best) throw new RangeError("no usable clock sample (time ran backwards)");
  const rttUs = best.receivedUs - best.sentUs;
  return {
    offsetUs: Math.round(best.workerUs - (best.sentUs + best.receivedUs) / 2),
    rttUs,
    errorUs: Math.ceil(rttUs / 2),
    samples: samples.length,
  };
}
