/**
 * The once-a-second progress tick: offered, acked, failed and delivered per second since the last
 * tick, and the requests in flight, for the live status line.
 */

import type { LoadCounters } from "./load-loop.ts";

export interface Tick {
  elapsedMs: number;
  offeredPerSec: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  failedPerSec: number;
  inFlight: number;
}

export interface TickerDeps {
  counters: () => Readonly<LoadCounters>;
  delivered: () => number;
  /** µs since the load started. */
  now: () => number;
  onTick: (t: Tick) => void;
  intervalMs?: number;
}

/** Starts ticking; returns the function that stops it. */
export function startProgressTicker(d: TickerDeps): () => void {
  let last = { offered: 0, acked: 0, failed: 0, delivered: 0, at: 0 };
  const timer = setInterval(() => d.onTick(nextTick()), d.intervalMs ?? 1000);
  function nextTick(): Tick {
    const c = d.counters();
    const delivered = d.delivered();
    const at = d.now();
    const dt = (at - last.at) / 1e6 || 1;
    const t: Tick = {
      elapsedMs: at / 1000,
      offeredPerSec: (c.offered - last.offered) / dt,
      ackedPerSec: (c.acked - last.acked) / dt,
      deliveredPerSec: (delivered - last.delivered) / dt,
      failedPerSec: (c.failed - last.failed) / dt,
      inFlight: c.inFlight,
    };
    last = { offered: c.offered, acked: c.acked, failed: c.failed, delivered, at };
    return t;
  }
  return () => clearInterval(timer);
}
