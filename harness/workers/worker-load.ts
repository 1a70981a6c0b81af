/**
 * The harness side of split load generation: N load worker processes (supervised like engine
 * nodes, so a crash is reported and none outlives the run), each sending slice i/N of the one
 * seeded schedule. It has the LoadLoop's surface (counters, run, settled, stop), so a run drives
 * either the same way. Worker ops arrive in batches over IPC and are merged into the one history.
 */

import { join } from "node:path";
import { FaultbenchError } from "../errors.ts";
import { formatSlice, slices } from "../generator/slice.ts";
import type { SendOp } from "../history/op.ts";
import type { LoadCounters, LoadLoopDeps } from "../run/load-loop.ts";
import type { Scenario } from "../scenario/load.ts";
import { tsxNode } from "../supervisor/node-process.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";
import type { Client } from "../targets/target.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

export interface WorkerLoadDeps extends Omit<LoadLoopDeps, "client" | "slice"> {
  /** The harness's own client, for the endpoint the workers send to. */
  client: Pick<Client, "endpoint">;
  supervisor: Supervisor;
  runDir: string;
  projectRoot: string;
}

const COUNTER_KEYS = [
  "offered",
  "sent",
  "acked",
  "failed",
  "indeterminate",
  "inFlight",
  "heldByInFlight",
  "lateTicks",
] as const;

export class WorkerLoad {
  private readonly names: string[];
  private readonly perWorker = new Map<string, LoadCounters>();
  private readonly done = new Set<string>();
  private wake: () => void = () => {};
  private started = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly deps: WorkerLoadDeps,
  ) {
    this.names = slices(scenario.workload.workers ?? 1).map((s) => `worker-${s.index + 1}`);
  }

  get counters(): LoadCounters {
    const sum = Object.fromEntries(COUNTER_KEYS.map((k) => [k, 0])) as unknown as LoadCounters;
    for (const c of this.perWorker.values()) for (const k of COUNTER_KEYS) sum[k] += c[k];
    return sum;
  }

  /** Spawns the workers; each connects its producers before it reports ready. */
  async prepare(): Promise<void> {
    const endpoint = this.deps.client.endpoint?.();
    if (endpoint === undefined)
      throw new FaultbenchError(
        "FB_INTERNAL",
        `the ${this.scenario.engine} target's client has no endpoint for load workers`,
      );
    const { supervisor, runDir, projectRoot } = this.deps;
    for (const [i, s] of slices(this.names.length).entries()) {
      const name = this.names[i] as string;
      const node = supervisor.add({
        name,
        ...tsxNode(projectRoot, "harness/workers/load-worker.ts", [
          "--name",
          name,
          "--scenario",
          join(runDir, "scenario.yaml"),
          "--slice",
          formatSlice(s),
          "--endpoint",
          JSON.stringify(endpoint),
        ]),
        logPath: join(runDir, "logs", `${name}.log`),
        readyTimeoutMs: 20_000,
        ipc: true,
        tier: "workers",
      });
      node.onMessage = (m) => this.receive(name, m as FromWorker);
    }
    await Promise.all(this.names.map((n) => supervisor.get(n).start()));
  }

  private receive(name: string, m: FromWorker): void {
    if (m.type === "error") {
      process.stderr.write(`faultbench: ${name}: ${m.message}\n`);
      return;
    }
    this.perWorker.set(name, m.counters);
    if (m.type === "ops") for (const op of m.ops) this.op(op);
    else {
      this.done.add(name);
      this.wake();
    }
  }

  private op(op: SendOp): void {
    this.deps.record(op);
    if (op.type !== "invoke") this.deps.onOutcome?.(op.producer, op.from, op.to, op.type, op.seqs);
  }

  /** Releases every worker at once and resolves when each has sent its slice and had its answers. */
  async run(): Promise<void> {
    this.started = true;
    const go: ToWorker = { type: "go", nowUs: this.deps.now() };
    for (const n of this.names) this.deps.supervisor.get(n).send(go);
    await this.allDone();
  }

  private async allDone(timeoutMs?: number): Promise<void> {
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    while (this.done.size < this.names.length && Date.now() < deadline) {
      const running = this.names.filter(
        (n) => !this.done.has(n) && this.deps.supervisor.nodes.get(n)?.state === "running",
      );
      if (running.length === 0) return;
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200).unref();
      });
    }
  }

  settled(): Promise<void> {
    return this.started ? this.allDone() : Promise.resolve();
  }

  /** Asks every worker to stop sending; waits (briefly) for their last answers. */
  async stop(): Promise<void> {
    if (!this.started) return;
    const stop: ToWorker = { type: "stop" };
    for (const n of this.names) this.deps.supervisor.nodes.get(n)?.send(stop);
    await this.allDone(5000);
  }
}
