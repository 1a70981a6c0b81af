/**
 * The run's clock and its history gate. Times are µs since the load started (t = 0); ops recorded
 * during setup, before t = 0 is known, are held back and written with negative times once the load
 * starts. A run that never starts its load keeps its setup ops at setup-relative times.
 */

import { performance } from "node:perf_hooks";
import type { Op } from "../history/op.ts";

export interface HistorySink {
  append(op: Op): void;
}

export class RunClock {
  private readonly setupStart = performance.now();
  private t0: number | undefined;
  private readonly held: Op[] = [];

  /**
   * `history` takes the start op and the held setup ops; `live` every op recorded after t = 0
   * (the same sink, or one that puts ops arriving out of order back in time order).
   */
  constructor(
    private readonly history: HistorySink,
    private readonly live: HistorySink = history,
  ) {}

  /** µs since the load started (since setup began, until then). */
  now = (): number => Math.round((performance.now() - (this.t0 ?? this.setupStart)) * 1000);

  /** Appends to the history, or holds the op until the load starts. */
  record = (op: Op): void => {
    if (this.t0 === undefined) this.held.push(op);
    else this.live.append(op);
  };

  get started(): boolean {
    return this.t0 !== undefined;
  }

  /** Sets t = 0, writes `first` (the start op) and then the held setup ops, shifted to negative times. */
  startLoad(first: (epoch: string) => Op): void {
    this.t0 = performance.now();
    const shift = (this.t0 - this.setupStart) * 1000;
    this.history.append(first(new Date(Date.now()).toISOString()));
    for (const op of this.held) this.history.append({ ...op, t: Math.round(op.t - shift) });
    this.held.length = 0;
  }

  /** For a run that never started its load: writes the setup ops at their setup-relative times. */
  flushSetup(): void {
    if (this.t0 !== undefined) return;
    this.t0 = this.setupStart;
    for (const op of this.held) this.history.append(op);
    this.held.length = 0;
  }
}
