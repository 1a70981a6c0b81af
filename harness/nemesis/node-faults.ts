/**
 * The nemesis for node faults: executes the scenario's timeline on the target's nodes (for our
 * engines real signals: kill = SIGKILL, pause = SIGSTOP/SIGCONT, restart = SIGTERM then start
 * again; for external clusters the user's commands) and collector slowdowns, recording an invoke
 * and a completion for every step in the history, in the same stream as the client ops.
 */

import { FaultbenchError, isFaultbenchError } from "../errors.ts";
import type { NamedFault } from "../scenario/scenario.ts";
import type { ReassignHandle, Target, TargetNode } from "../targets/target.ts";
import { FaultTimeline, type TimelineDeps } from "./timeline.ts";

/** The faults this nemesis runs: the ones that act on a node. */
export type NodeFault = Extract<NamedFault, { node: string }>;

export function isNodeFault(f: NamedFault): f is NodeFault {
  return "node" in f;
}

export type { FaultEvent } from "./timeline.ts";

export interface NemesisDeps extends TimelineDeps {
  /** The nemesis reaches nodes through the target, never through the client. */
  target: Pick<Target, "node" | "reassign">;
  /** Called when a node the nemesis took down does not come back: the run cannot go on. */
  fatal?: (e: unknown) => void;
}

export class NodeNemesis extends FaultTimeline<NodeFault> {
  constructor(
    faults: readonly NodeFault[],
    protected override readonly deps: NemesisDeps,
  ) {
    super(faults, deps);
  }

  /** Starts a node again; one that will not come back breaks the run (exit 3), whatever the reason. */
  private async restart(f: NodeFault, node: () => TargetNode): Promise<void> {
    let cause: unknown;
    const ok = await this.step(f, "start", () =>
      node()
        .start()
        .catch((e: unknown) => {
          cause = e;
          throw e;
        }),
    );
    if (!ok && !this.cancelled) {
      this.deps.fatal?.(
        isFaultbenchError(cause)
          ? cause
          : new FaultbenchError("FB_ENGINE_START_FAILED", `${f.node} did not come back after ${f.name}`, {
              cause,
            }),
      );
    }
  }

  protected async runFault(f: NodeFault): Promise<void> {
    if (!(await this.sleepUntil(f.at * 1000))) return;
    const d = this.deps.target;
    const node = () => {
      const n = d.node(f.node);
      if (!n) throw new Error(`no node ${f.node}`);
      return n;
    };
    /** A kill, pause or stop of a node that is not running does nothing: the fault is not applied. */
    const live = () => {
      const n = node();
      if (n.state !== undefined && n.state !== "running" && n.state !== "paused")
        throw new Error(`${f.node} is not running (${n.state})`);
      if (f.kind === "pause" && n.state === "paused") throw new Error(`${f.node} is already paused`);
      return n;
    };
    const healAt = (ms: number) => this.deps.now() + ms * 1000;
    switch (f.kind) {
      case "kill":
      case "power-loss": {
        // A power loss is a SIGKILL of a node in lazy file-I/O mode: its next start discards what
        // was never fsynced (see power-loss.ts).
        if (!(await this.step(f, "kill", () => live().kill()))) return;
        if (f.restartAfter === undefined) return;
        if (!(await this.sleepUntil(healAt(f.restartAfter)))) return;
        await this.restart(f, node);
        return;
      }
      case "pause": {
        if (!(await this.step(f, "pause", () => live().pause()))) return;
        if (!(await this.sleepUntil(healAt(f.for)))) return;
        await this.step(f, "resume", () => node().resume());
        return;
      }
      case "restart": {
        if (!(await this.step(f, "stop", () => live().stop()))) return;
        if (!(await this.sleepUntil(healAt(f.for)))) return;
        await this.restart(f, node);
        return;
      }
      case "reassign": {
        const t = this.deps.target;
        let handle: ReassignHandle | undefined;
        const started = await this.step(f, "reassign", async () => {
          if (!t.reassign) throw new Error("this target cannot reassign partitions");
          handle = await t.reassign({
            from: f.from,
            to: f.node,
            ...(f.partitions ? { partitions: f.partitions } : {}),
          });
        });
        if (!started || !handle) return;
        const h = handle;
        await this.step(f, "reassigned", () => h.completed(f.within, () => this.cancelled));
        return;
      }
      case "slow": {
        const slow = (ms: number | undefined) => {
          const n = node();
          if (!n.slow) throw new Error(`${f.node} cannot be slowed`);
          n.slow(ms);
        };
        await this.step(f, "slow", () => slow(f.delay));
        if (!(await this.sleepUntil(healAt(f.for)))) return;
        await this.step(f, "fast", () => slow(undefined));
        return;
      }
    }
  }
}
