/**
 * The nemesis for node faults: executes the scenario's timeline with real signals through the
 * supervisor (kill = SIGKILL, pause = SIGSTOP/SIGCONT, restart = SIGTERM then start again) and
 * collector slowdowns, recording an invoke and a completion for every step in the history, in the
 * same stream as the client ops.
 */

import type { Driver } from "../drivers/driver.ts";
import type { NemesisF, NemesisOp, OpType } from "../history/op.ts";
import type { NamedFault } from "../scenario/load.ts";

/** The faults this nemesis runs: the ones that act on a node. */
export type NodeFault = Extract<NamedFault, { node: string }>;

export function isNodeFault(f: NamedFault): f is NodeFault {
  return "node" in f;
}

export interface FaultEvent {
  fault: string;
  f: NemesisF;
  node: string;
  outcome: OpType;
  error?: string;
}

export interface NemesisDeps {
  driver: Driver;
  /** µs since the load started. */
  now: () => number;
  record: (op: NemesisOp) => void;
  onEvent?: (e: FaultEvent) => void;
}

export class NodeNemesis {
  private timers = new Set<NodeJS.Timeout>();
  private running: Promise<void>[] = [];
  private cancelled = false;

  constructor(
    private readonly faults: readonly NodeFault[],
    private readonly deps: NemesisDeps,
  ) {}

  /** Schedules every fault; times are relative to the load start. */
  start(): void {
    for (const f of this.faults) this.running.push(this.runFault(f));
  }

  /** Resolves when every fault, including its heal, has finished. */
  async idle(): Promise<void> {
    await Promise.all(this.running);
  }

  /** Stops scheduling (on an aborted run); steps already running finish, pending heals are dropped. */
  cancel(): void {
    this.cancelled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.wakers) r();
    this.wakers.clear();
  }

  private wakers = new Set<() => void>();

  private sleepUntil(us: number): Promise<boolean> {
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

  private async step(f: NodeFault, name: NemesisF, act: () => Promise<unknown> | unknown): Promise<boolean> {
    const base = { process: "nemesis" as const, f: name, fault: f.name, node: f.node, kind: f.kind };
    this.deps.record({ t: this.deps.now(), type: "invoke", ...base });
    this.deps.onEvent?.({ fault: f.name, f: name, node: f.node, outcome: "invoke" });
    try {
      await act();
      this.deps.record({ t: this.deps.now(), type: "ok", ...base });
      this.deps.onEvent?.({ fault: f.name, f: name, node: f.node, outcome: "ok" });
      return true;
    } catch (e) {
      const error = (e as Error).message.split("\n")[0] ?? String(e);
      this.deps.record({ t: this.deps.now(), type: "fail", ...base, error });
      this.deps.onEvent?.({ fault: f.name, f: name, node: f.node, outcome: "fail", error });
      return false;
    }
  }

  private async runFault(f: NodeFault): Promise<void> {
    if (!(await this.sleepUntil(f.at * 1000))) return;
    const d = this.deps.driver;
    const node = () => {
      const n = d.node(f.node);
      if (!n) throw new Error(`no node ${f.node}`);
      return n;
    };
    const healAt = (ms: number) => this.deps.now() + ms * 1000;
    switch (f.kind) {
      case "kill": {
        if (!(await this.step(f, "kill", () => node().kill()))) return;
        if (f.restartAfter === undefined) return;
        if (!(await this.sleepUntil(healAt(f.restartAfter)))) return;
        await this.step(f, "start", () => node().start());
        return;
      }
      case "pause": {
        if (!(await this.step(f, "pause", () => node().pause()))) return;
        if (!(await this.sleepUntil(healAt(f.for)))) return;
        await this.step(f, "resume", () => node().resume());
        return;
      }
      case "restart": {
        if (!(await this.step(f, "stop", () => node().stop()))) return;
        if (!(await this.sleepUntil(healAt(f.for)))) return;
        await this.step(f, "start", () => node().start());
        return;
      }
      case "slow": {
        const base = (d as { baseDelay?: (n: string) => number }).baseDelay?.(f.node) ?? 0;
        await this.step(f, "slow", () => d.setDelay(f.node, f.delay));
        if (!(await this.sleepUntil(healAt(f.for)))) return;
        await this.step(f, "fast", () => d.setDelay(f.node, base));
        return;
      }
    }
  }
}
