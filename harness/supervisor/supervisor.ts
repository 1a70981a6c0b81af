/**
 * The supervisor owns every engine process of a run. It starts them, runs the node faults the
 * nemesis asks for, reports unexpected exits (a crash is reported, never waited on), and
 * guarantees that no child outlives the run: `shutdown` on the normal path, `killAllSync` from the
 * exit and signal handlers the CLI installs.
 */

import { type NodeExit, NodeProcess, type NodeSpec } from "./node-process.ts";

const live = new Set<Supervisor>();
let handlersInstalled = false;

function installExitHandler(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const s of live) s.killAllSync();
  });
}

export class Supervisor {
  readonly nodes = new Map<string, NodeProcess>();
  /** Called when a node exits without the harness asking for it. */
  onCrash: (exit: NodeExit) => void = () => {};
  /** Called on every exit, for the history. */
  onExit: (exit: NodeExit) => void = () => {};

  constructor() {
    live.add(this);
    installExitHandler();
  }

  private closing = false;

  add(spec: NodeSpec): NodeProcess {
    // A setup still running when the run was stopped must not start nodes nobody will stop.
    if (this.closing) throw new Error(`the run is stopping; not starting ${spec.name}`);
    const node = new NodeProcess(spec);
    node.onExit = (exit) => {
      this.onExit(exit);
      if (!exit.expected) this.onCrash(exit);
    };
    this.nodes.set(spec.name, node);
    return node;
  }

  get(name: string): NodeProcess {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node named ${name}`);
    return n;
  }

  /**
   * Stops every node (SIGTERM, then SIGKILL after the grace period) and closes the logs. Nodes stop
   * in the reverse of the order they were added (a tier of nodes, such as a consumer group, together),
   * so clients (consumers, upstream agents) leave before the servers they talk to, and the proxies
   * go last.
   */
  async shutdown(graceMs = 5000): Promise<void> {
    this.closing = true;
    const tiers: NodeProcess[][] = [];
    for (const n of [...this.nodes.values()].reverse()) {
      const last = tiers[tiers.length - 1];
      if (last && n.spec.tier !== undefined && last[0]?.spec.tier === n.spec.tier) last.push(n);
      else tiers.push([n]);
    }
    for (const tier of tiers) await Promise.all(tier.map((n) => n.stop(graceMs)));
    await Promise.all([...this.nodes.values()].map((n) => n.closeLog()));
    live.delete(this);
  }

  killAllSync(): void {
    for (const n of this.nodes.values()) n.killSync();
  }

  /** Pids of nodes that are alive. */
  pids(): number[] {
    return [...this.nodes.values()].flatMap((n) =>
      n.state === "stopped" || n.pid === undefined ? [] : [n.pid],
    );
  }
}
