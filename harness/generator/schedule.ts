/**
 * The open-loop schedule: which producer sends which message, and when it is meant to be sent.
 * Pure and seeded. Message i (in global time order) goes to producer i mod P with sequence number
 * ⌊i / P⌋, so every producer's sequence numbers are contiguous and a batch is an id range. The
 * intended send time is what latency is measured from (coordinated-omission safe, as in wrk2), so
 * a stalled producer cannot hide the delay it causes.
 */

import type { Workload } from "../scenario/schema.ts";
import { exponential, type Random, seededRandom } from "./random.ts";
import { rateCurve } from "./rate-curve.ts";
import { traceTimeUs } from "./trace.ts";

export interface PlannedMessage {
  index: number;
  producer: number;
  seq: number;
  /** Intended send time, µs since the load started. */
  intendedUs: number;
  key: string | undefined;
  /** Body size from a replayed trace; the workload's messageSize when absent. */
  size?: number;
}

export type ScheduleWorkload = Pick<
  Workload,
  "rate" | "arrival" | "producers" | "keys" | "warmup" | "duration"
> &
  Partial<Pick<Workload, "trace">>;

/** Load length in ms: warmup plus the measured duration. */
export function loadLengthMs(w: ScheduleWorkload): number {
  return w.warmup + w.duration;
}

/** An iterator over the planned messages in time order; `undefined` once the load window ends. */
export class Schedule {
  private index = 0;
  private tS = 0;
  private readonly curve;
  private readonly endS: number;
  private readonly random: Random;
  private readonly keyRandom: Random;

  constructor(
    private readonly w: ScheduleWorkload,
    seed: number,
  ) {
    this.curve = rateCurve(w.rate, loadLengthMs(w));
    this.endS = loadLengthMs(w) / 1000;
    this.random = seededRandom(seed);
    this.keyRandom = seededRandom(seed ^ 0x5bd1e995);
  }

  /** The intended time (µs) of the next message, or Infinity when the schedule is done. */
  peekUs(): number {
    const t = this.nextTimeS(false);
    return t < this.endS ? t * 1e6 : Number.POSITIVE_INFINITY;
  }

  next(): PlannedMessage | undefined {
    const t = this.nextTimeS(true);
    if (!(t < this.endS)) return undefined;
    const i = this.index++;
    const p = this.w.producers;
    let key = this.w.keys > 0 ? `k${Math.floor(this.keyRandom() * this.w.keys)}` : undefined;
    const m: PlannedMessage = {
      index: i,
      producer: i % p,
      seq: Math.floor(i / p),
      intendedUs: Math.round(t * 1e6),
      key,
    };
    const trace = this.w.trace;
    if (trace) {
      const row = i % trace.rows.offsetUs.length;
      key = trace.rows.keys[row] ?? key;
      m.key = key;
      const size = trace.rows.sizes[row] as number;
      if (size > 0) m.size = size;
    }
    return m;
  }

  private pending: number | undefined;

  private nextTimeS(consume: boolean): number {
    if (this.pending === undefined) {
      if (this.w.trace) {
        this.pending = traceTimeUs(this.w.trace, this.index) / 1e6;
      } else if (this.w.arrival === "poisson") {
        // An inhomogeneous Poisson process by time change: unit-rate exponential steps in the
        // curve's cumulative count, mapped back to time. Exact across rate steps, and never
        // places an arrival where the rate is 0.
        this.pending = this.curve.inverse(this.curve.cumulative(this.tS) + exponential(this.random, 1));
      } else {
        this.pending = this.curve.inverse(this.index);
      }
    }
    const t = this.pending;
    if (consume) {
      this.pending = undefined;
      this.tS = t;
    }
    return t;
  }
}

/**
 * The intended send times of every message the schedule plans, one array per producer indexed by
 * sequence number. Used to recompute latencies from a history offline.
 */
export function intendedTimes(w: ScheduleWorkload, seed: number): Float64Array[] {
  const s = new Schedule(w, seed);
  const lists: number[][] = Array.from({ length: w.producers }, () => []);
  for (let m = s.next(); m !== undefined; m = s.next()) lists[m.producer]?.push(m.intendedUs);
  return lists.map((l) => Float64Array.from(l));
}
