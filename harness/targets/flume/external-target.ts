/**
 * A Flume agent the user already runs, as a target. The harness starts its fault proxy with one
 * proxy in front of the agent's HTTP source (the producers post through it) and one at each
 * collector's `listen` address (the agent's HTTP sink posts through it to the collector, which
 * listens on an ephemeral port behind it). Agent faults run the user's commands.
 */

import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { type Network, startNetwork, stopNetwork } from "../../network/network.ts";
import { freePorts } from "../../supervisor/ports.ts";
import { commandNode } from "../command-node.ts";
import type { Target, TargetContext, TargetNode } from "../target.ts";
import { Collector } from "./collector.ts";
import { flumeFacts } from "./facts.ts";
import type { FlumeTopology } from "./schema.ts";

export class ExternalFlumeTarget implements Target {
  private net: Network | undefined;
  private readonly collectors = new Map<string, Collector>();

  constructor(private readonly o: TargetContext<FlumeTopology>) {}

  /** Where the producers post: the proxy in front of the source. */
  sourceUrl(): string {
    const port = this.net?.listen.get(`producers->${this.o.scenario.topology.agent}`);
    if (port === undefined) throw new Error("target not started");
    return `http://127.0.0.1:${port}${this.o.scenario.topology.path}`;
  }

  async start(): Promise<void> {
    const { scenario, supervisor, runDir, projectRoot } = this.o;
    const t = scenario.topology;
    const names = Object.keys(t.collectors);
    const ports = await freePorts(names.length);
    for (const [i, name] of names.entries()) {
      const c = new Collector(name, this.o.sink, t.collectors[name]?.delay ?? 0);
      await c.listen(ports[i] as number);
      this.collectors.set(name, c);
    }
    this.net = await startNetwork({
      seed: scenario.seed,
      supervisor,
      runDir,
      projectRoot,
      links: [...flumeFacts(scenario).links],
      upstream: (n) => (n === t.agent ? t.source : `127.0.0.1:${this.collectors.get(n)?.port}`),
      listenAt: (l) => t.collectors[l.to]?.listen,
      ...(this.o.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: this.o.readyTimeoutMs }),
    });
  }

  node(name: string): TargetNode | undefined {
    const t = this.o.scenario.topology;
    const c = this.collectors.get(name);
    if (c) {
      const no = async () => {
        throw new Error(`${name} is a collector in the harness; it can only be slowed`);
      };
      const base = t.collectors[name]?.delay ?? 0;
      return {
        name,
        kill: no,
        pause: no,
        resume: no,
        stop: no,
        start: no,
        slow: (ms) => {
          c.delayMs = ms ?? base;
        },
      };
    }
    const control = t.nodes[name];
    if (!control) return undefined;
    const logFile = join(this.o.runDir, "logs", `${name}.log`);
    const address = control.address ?? (name === t.agent ? t.source : undefined);
    return commandNode(name, address === undefined ? control : { ...control, address }, (line) =>
      appendFileSync(logFile, `--- ${new Date().toISOString()} ${line}\n`),
    );
  }

  network(): Network | undefined {
    return this.net;
  }

  async close(): Promise<void> {
    await Promise.all([...this.collectors.values()].map((c) => c.close()));
    await stopNetwork(this.net);
  }
}
