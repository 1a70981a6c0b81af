/**
 * Ops from several processes (load workers, consumers, the harness) arrive out of time order; the
 * history is kept in time order by holding each op for a short lag and writing what is older than
 * that, sorted by `t` (stable). A delivery is then never written before the send it answers.
 */

import type { Op } from "../history/op.ts";

export interface OpSink {
  append(op: Op): void;
}

export class ReorderingSink implements OpSink {
  private held: Op[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: OpSink,
    private readonly nowUs: () => number,
    private readonly lagUs = 1_000_000,
  ) {
    this.timer = setInterval(() => this.flush(false), 200);
    this.timer.unref();
    process.on("exit", this.onExit);
  }

  private readonly onExit = () => this.flush(true);

  append(op: Op): void {
    this.held.push(op);
  }

  /** Writes the ops older than the lag (all of them when `all`), in time order. */
  flush(all: boolean): void {
    if (this.held.length === 0) return;
    const cut = all ? Number.POSITIVE_INFINITY : this.nowUs() - this.lagUs;
    const ready: Op[] = [];
    const keep: Op[] = [];
    for (const op of this.held) (op.t <= cut ? ready : keep).push(op);
    this.held = keep;
    ready.sort((a, b) => a.t - b.t);
    for (const op of ready) this.out.append(op);
  }

  close(): void {
    clearInterval(this.timer);
    process.off("exit", this.onExit);
    this.flush(true);
  }
}
