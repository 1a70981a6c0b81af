/**
 * The agent engine as a target: turns a scenario topology into agent processes
 * (engines/agent/main.ts) with Flume properties files, one fault proxy per hop, and the
 * collectors in the harness process. Agents are started downstream first so no sink begins by
 * backing off. Its client posts to the entry agent through `producers-><entry>`.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lazyIOEnv } from "../../nemesis/power-loss.ts";
import { link } from "../../network/links.ts";
import { type Network, startNetwork, stopNetwork } from "../../network/network.ts";
import { tsxNode } from "../../supervisor/node-process.ts";
import { freePorts } from "../../supervisor/ports.ts";
import { Collector } from "../flume/collector.ts";
import { FlumeHttpClient } from "../flume/http-client.ts";
import { processNode } from "../process-node.ts";
import type { Target, TargetContext, TargetNode } from "../target.ts";
import { agentFacts } from "./facts.ts";
import { flumeProperties } from "./flume-config.ts";
import { AgentMetricsSampler } from "./metrics-sampler.ts";
import type { ResolvedAgentTopology } from "./resolve.ts";

export class AgentTarget implements Target {
  private readonly collectors = new Map<string, Collector>();
  private net: Network | undefined;
  private sampler: AgentMetricsSampler | undefined;
  /** Posts to the entry agent through its proxy. */
  readonly client: FlumeHttpClient;

  constructor(private readonly o: TargetContext<ResolvedAgentTopology>) {
    const entry = o.scenario.topology.entry;
    this.client = new FlumeHttpClient(
      () => `http://127.0.0.1:${this.net?.listen.get(link("producers", entry).name)}`,
      o.scenario.workload,
    );
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
      links: [...agentFacts(scenario).links],
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
        ...tsxNode(this.o.projectRoot, "engines/agent/main.ts", ["--config", file, "--name", name]),
        logPath: join(runDir, "logs", `${name}.log`),
        readyTimeoutMs: this.o.readyTimeoutMs ?? 15_000,
        ...lazyIOEnv(scenario, name, runDir),
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
  }

  node(name: string): TargetNode | undefined {
    const p = this.o.supervisor.nodes.get(name);
    if (p) return processNode(p);
    const c = this.collectors.get(name);
    if (!c) return undefined;
    const base = this.o.scenario.topology.collectors[name]?.delay ?? 0;
    const no = (what: string) => async () => {
      throw new Error(`${name} is a collector in the harness; it cannot ${what}`);
    };
    return {
      name,
      kill: no("be killed"),
      pause: no("be paused"),
      resume: no("be resumed"),
      stop: no("be stopped"),
      start: no("be started"),
      slow: (delayMs) => {
        c.delayMs = delayMs ?? base;
      },
    };
  }

  network(): Network | undefined {
    return this.net;
  }

  async close(): Promise<void> {
    await this.sampler?.stop();
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
