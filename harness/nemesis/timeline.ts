/**
 * What every nemesis shares: a timeline of faults, each run as its own sequence of steps at times
 * relative to the load start, every step recorded as an invoke and a completion (ok, or fail with
 * the reason) in the history and reported as a progress event. Cancelling (an aborted run) wakes
 * every sleeping fault with `false`, so each one decides whether to heal on its way out.
 */

import type { NemesisF, NemesisOp, OpType } from "../history/op.ts";
import type { NamedFault } from "../scenario/scenario.ts";

export interface FaultEvent {
  fault: string;
  f: NemesisF;
  node: string;
  outcome: OpType;
  error?: string;
}

export interface TimelineDeps {
  /** µs since the load started. */
  now: () => number;
  record: (op: NemesisOp) => void;
  onEvent?: (e: FaultEvent) => void;
}

export abstract class FaultTimeline<F extends NamedFault> {
  private timers = new Set<NodeJS.Timeout>();
  private wakers = new Set<() => void>();
  private running: Promise<void>[] = [];
  protected cancelled = false;

  constructor(
    protected readonly faults: readonly F[],
    protected readonly deps: TimelineDeps,
  ) {}

  /** Runs one fault from its start to its heal. */
  protected abstract runFault(f: F): Promise<void>;

  /** Schedules every fault; times are relative to the load start. */
  start(): void {
    for (const f of this.faults) this.running.push(this.runFault(f));
  }

  /** Resolves when every fault, including its heal, has finished. */
  async idle(): Promise<void> {
    await Promise.all(this.running);
  }

  /** Stops scheduling; steps already running finish, sleeping faults wake with `false`. */
  cancel(): void {
    this.cancelled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  /** Sleeps until `us` (µs since the load start); false when cancelled meanwhile. */
  protected sleepUntil(us: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.cancelled) return resolve(false);
      const wake = () => {
        this.wakers.delete(wake);
        resolve(!this.cancelled);
      };
      // Node's timers can fire a fraction of a millisecond early; re-arm until the time has come.
      const arm = () => {
        const t = setTimeout(
          () => {
            this.timers.delete(t);
            if (this.deps.now() < us && !this.cancelled) arm();
            else wake();
          },
          Math.max(0, (us - this.deps.now()) / 1000),
        );
        this.timers.add(t);
      };
      arm();
      this.wakers.add(wake);
    });
  }

  /** Runs one step, recording invoke and completion; true when it succeeded. */
  protected async step(f: F, name: NemesisF, act: () => Promise<unknown> | unknown): Promise<boolean> {
    const base = { process: "nemesis" as const, f: name, fault: f.name, node: f.target, kind: f.kind };
    this.deps.record({ t: this.deps.now(), type: "invoke", ...base });
    this.deps.onEvent?.({ fault: f.name, f: name, node: f.target, outcome: "invoke" });
    try {
      await act();
      this.deps.record({ t: this.deps.now(), type: "ok", ...base });
      this.deps.onEvent?.({ fault: f.name, f: name, node: f.target, outcome: "ok" });
      return true;
    } catch (e) {
      const error = (e as Error).message.split("\n")[0] ?? String(e);
      this.deps.record({ t: this.deps.now(), type: "fail", ...base, error });
      this.deps.onEvent?.({ fault: f.name, f: name, node: f.target, outcome: "fail", error });
      return false;
    }
  }
}
