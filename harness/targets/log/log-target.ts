/**
 * The log engine as a target: boots the brokers (engines/log/main.ts) on their own data
 * directories behind one fault proxy each (they advertise the proxy, so every client connection
 * crosses `clients->broker-N`), creates the topic and starts the consumer group, each consumer its
 * own process. The producers are the Kafka client shared with external clusters.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { link } from "../../network/links.ts";
import { type Network, startNetwork, stopNetwork } from "../../network/network.ts";
import { tsxNode } from "../../supervisor/node-process.ts";
import { freePorts } from "../../supervisor/ports.ts";
import { createTopic, kafkaHandle, startConsumerGroup } from "../kafka/kafka-client.ts";
import { processNode } from "../process-node.ts";
import type { Target, TargetContext, TargetNode } from "../target.ts";
import { brokerNames, logFacts } from "./facts.ts";
import type { LogTopology } from "./schema.ts";

export class LogTarget implements Target {
  private net: Network | undefined;
  private brokers: string[] | undefined;

  constructor(private readonly o: TargetContext<LogTopology>) {}

  /** Where clients bootstrap (through the proxies where there are any), once started. */
  bootstrap(): string[] {
    if (!this.brokers) throw new Error("target not started");
    return this.brokers;
  }

  async start(): Promise<void> {
    const { scenario, supervisor, runDir, projectRoot } = this.o;
    const t = scenario.topology;
    const w = scenario.workload;
    const brokers = brokerNames(t);
    const ports = await freePorts(brokers.length);
    const timeout = this.o.readyTimeoutMs ?? 15_000;
    this.net = await startNetwork({
      seed: scenario.seed,
      supervisor,
      runDir,
      projectRoot,
      links: [...logFacts(scenario).links],
      upstreamPort: (n) => ports[brokers.indexOf(n)] as number,
      readyTimeoutMs: timeout,
    });
    // Brokers advertise their proxy, so every client connection crosses `clients->broker-N`.
    const bootstrap = brokers.map((b) => `127.0.0.1:${this.net?.listen.get(link("clients", b).name)}`);

    brokers.forEach((name, i) => {
      const dataDir = join(runDir, "data", name);
      mkdirSync(dataDir, { recursive: true });
      // Like Kafka's shipped config/server.properties, no initial rebalance delay unless the
      // scenario asks for one: a group forms as soon as its consumers join.
      const config = { "group.initial.rebalance.delay.ms": 0, ...t.config };
      const sets = Object.entries(config).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
      supervisor.add({
        name,
        ...tsxNode(projectRoot, "engines/log/main.ts", [
          "--name",
          name,
          "--port",
          String(ports[i]),
          "--data",
          dataDir,
          "--node-id",
          String(i + 1),
          "--advertised-listener",
          bootstrap[i] as string,
          ...sets,
        ]),
        logPath: join(runDir, "logs", `${name}.log`),
        readyTimeoutMs: timeout,
      });
    });
    for (const b of brokers) await supervisor.get(b).start();

    this.brokers = bootstrap;
    await createTopic(kafkaHandle(bootstrap, w), { name: t.topic, partitions: t.partitions, replication: 1 });
    await startConsumerGroup({
      supervisor,
      projectRoot,
      runDir,
      bootstrap,
      topic: t.topic,
      group: `faultbench-${scenario.name}-${Date.now()}`,
      count: w.consumers,
      sessionTimeout: t.sessionTimeout,
      rebalanceTimeout: t.rebalanceTimeout,
      heartbeatInterval: t.heartbeatInterval,
      readyTimeoutMs: timeout,
      sink: this.o.sink,
    });
  }

  node(name: string): TargetNode | undefined {
    const p = this.o.supervisor.nodes.get(name);
    return p && processNode(p);
  }

  network(): Network | undefined {
    return this.net;
  }

  async close(): Promise<void> {
    await stopNetwork(this.net);
  }
}
