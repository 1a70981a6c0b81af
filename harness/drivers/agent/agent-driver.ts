/**
 * The agent engine driver: turns a scenario topology into agent processes with Flume properties
 * files, starts the collectors in the harness process, and sends the producers' batches to the
 * entry agent. Agents are started downstream first so no sink begins by backing off.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PlannedMessage } from "../../generator/schedule.ts";
import type { SampleOp } from "../../history/op.ts";
import { AgentMetricsSampler } from "../../metrics/agent-metrics-sampler.ts";
import type { AgentScenario } from "../../scenario/load.ts";
import { type NodeProcess, tsxNode } from "../../supervisor/node-process.ts";
import { freePorts } from "../../supervisor/ports.ts";
import type { Supervisor } from "../../supervisor/supervisor.ts";
import { agentShape, link } from "../../topology/links.ts";
import type { ClientEndpoint, DeliverySink, Driver, SendOutcome } from "../driver.ts";
import { type Network, startNetwork, stopNetwork } from "../network.ts";
import { Collector } from "./collector.ts";
import { flumeProperties } from "./flume-config.ts";
import { HttpProducer } from "./http-producer.ts";

export interface AgentDriverOptions {
  scenario: AgentScenario;
  supervisor: Supervisor;
  runDir: string;
  projectRoot: string;
  sink: DeliverySink;
  readyTimeoutMs?: number;
  /**
   * Where channel samples go (the history) and its clock. Without them no agent is sampled; with
   * them each running agent's /metrics is polled once per second from start() to close().
   */
  samples?: { now: () => number; record: (op: SampleOp) => void };
}

export class AgentDriver implements Driver {
  private readonly collectors = new Map<string, Collector>();
  private producer: HttpProducer | undefined;
  private net: Network | undefined;
  private sampler: AgentMetricsSampler | undefined;
  private entryUrl: string | undefined;

  constructor(private readonly o: AgentDriverOptions) {}

  clientEndpoint(): ClientEndpoint | undefined {
    return this.entryUrl ? { engine: "agent", url: this.entryUrl } : undefined;
  }

  async start(): Promise<void> {
    const { scenario, supervisor, runDir } = this.o;
    const topo = scenario.topology;
    const agentNames = Object.keys(topo.agents);
    const collectorNames = Object.keys(topo.collectors);
    const ports = await freePorts(agentNames.length + collectorNames.length);
    const portOf = new Map<string, number>();
    for (const [i, n] of [...agentNames, ...collectorNames].entries()) portOf.set(n, ports[i] as number);

    this.net = await startNetwork({
      seed: scenario.seed,
      supervisor,
      runDir,
      projectRoot: this.o.projectRoot,
      links: agentShape(topo).links,
      upstreamPort: (n) => portOf.get(n) as number,
      ...(this.o.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: this.o.readyTimeoutMs }),
    });
    const via = (from: string, to: string) => this.net?.listen.get(link(from, to).name) as number;

    for (const [name, c] of Object.entries(topo.collectors)) {
      const col = new Collector(name, this.o.sink, c.delay);
      await col.listen(portOf.get(name) as number);
      this.collectors.set(name, col);
    }

    const confDir = join(runDir, "config");
    mkdirSync(confDir, { recursive: true });
    for (const name of agentNames) {
      const spec = topo.agents[name]!;
      const dataDir = join(runDir, "data", name);
      if (spec.channel.type === "file") mkdirSync(dataDir, { recursive: true });
      const props = flumeProperties({
        name,
        spec,
        sourcePort: portOf.get(name) as number,
        endpoints: spec.sinks.map((t) => `http://127.0.0.1:${via(name, t)}/`),
        dataDir,
      });
      const file = join(confDir, `${name}.properties`);
      writeFileSync(file, props);
      supervisor.add({
        name,
        ...tsxNode(this.o.projectRoot, "harness/cli.ts", [
          "serve",
          "agent",
          "--config",
          file,
          "--name",
          name,
        ]),
        logPath: join(runDir, "logs", `${name}.log`),
        readyTimeoutMs: this.o.readyTimeoutMs ?? 15_000,
      });
    }
    for (const name of downstreamFirst(topo.agents)) await supervisor.get(name).start();
    if (this.o.samples) {
      this.sampler = new AgentMetricsSampler({
        nodes: () => agentNames.map((n) => supervisor.get(n)),
        now: this.o.samples.now,
        record: this.o.samples.record,
      });
      this.sampler.start();
    }

    const w = scenario.workload;
    // One connection per request a producer may have outstanding: open-loop sends must not queue in the client.
    const connections = Math.min(1024, w.producers * w.maxInFlight);
    this.entryUrl = `http://127.0.0.1:${via("producers", topo.entry)}`;
    this.producer = new HttpProducer(this.entryUrl, connections, w.timeout, w.messageSize);
  }

  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    if (!this.producer) throw new Error("driver not started");
    return this.producer.send(producer, batch);
  }

  node(name: string): NodeProcess | undefined {
    return this.o.supervisor.nodes.get(name);
  }

  network(): Network | undefined {
    return this.net;
  }

  setDelay(node: string, delayMs: number): void {
    const c = this.collectors.get(node);
    if (c) c.delayMs = delayMs;
  }

  /** The collectors' configured delays, to restore after a `slow` fault. */
  baseDelay(node: string): number {
    return this.o.scenario.topology.collectors[node]?.delay ?? 0;
  }

  async close(): Promise<void> {
    await this.sampler?.stop();
    await this.producer?.close();
    await Promise.all([...this.collectors.values()].map((c) => c.close()));
    await stopNetwork(this.net);
  }
}

/** Agents ordered so that each one's targets start before it. */
export function downstreamFirst(agents: Record<string, { sinks: string[] }>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string, path: Set<string>) => {
    if (seen.has(n) || path.has(n) || !agents[n]) return;
    path.add(n);
    for (const t of agents[n].sinks) visit(t, path);
    path.delete(n);
    seen.add(n);
    out.push(n);
  };
  for (const n of Object.keys(agents)) visit(n, new Set());
  return out;
}
