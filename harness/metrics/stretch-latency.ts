/**
 * Latency of stretches of the run — before, during and after each fault and incident — keyed by
 * each message's intended send time, so a stretch holds the messages that were meant to go out in
 * it, however long they took.
 */

import type { StretchLatency, Tail } from "../results/types.ts";
import { LatencyHistogram } from "./histogram.ts";

export interface Stretch {
  startUs: number;
  endUs: number;
}

export class StretchLatencies {
  private readonly e2e: LatencyHistogram[];
  private readonly attempts: LatencyHistogram[];

  constructor(private readonly stretches: readonly Stretch[]) {
    this.e2e = stretches.map(() => new LatencyHistogram());
    this.attempts = stretches.map(() => new LatencyHistogram());
  }

  /** The stretch index a caller registered, or -1 for none. */
  add(s: Stretch | undefined): number {
    if (!s || s.endUs <= s.startUs) return -1;
    (this.stretches as Stretch[]).push(s);
    this.e2e.push(new LatencyHistogram());
    this.attempts.push(new LatencyHistogram());
    return this.stretches.length - 1;
  }

  recordEndToEnd(intendedUs: number, latencyUs: number): void {
    this.record(this.e2e, intendedUs, latencyUs);
  }

  recordAttempt(intendedUs: number, latencyUs: number): void {
    this.record(this.attempts, intendedUs, latencyUs);
  }

  get(i: number): StretchLatency | null {
    if (i < 0) return null;
    return { endToEnd: tail(this.e2e[i]), publishAttempts: tail(this.attempts[i]) };
  }

  private record(hs: LatencyHistogram[], intendedUs: number, latencyUs: number): void {
    for (let i = 0; i < this.stretches.length; i++) {
      const s = this.stretches[i] as Stretch;
      if (intendedUs >= s.startUs && intendedUs < s.endUs) (hs[i] as LatencyHistogram).record(latencyUs);
    }
  }
}

function tail(h: LatencyHistogram | undefined): Tail | null {
  if (!h || h.count === 0) return null;
  return { count: h.count, p50: h.at(50) as number, p99: h.at(99) as number, max: h.at(100) as number };
}
