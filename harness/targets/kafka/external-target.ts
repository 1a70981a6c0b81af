/**
 * A Kafka-protocol cluster the user already runs, as a target. The harness starts nothing on the
 * cluster's side: it places its fault proxy in front of each broker that names one (`proxy`, the
 * broker's advertised listener, forwarding to the broker's real `address`), creates a fresh topic,
 * starts the consumer group (each consumer its own process, killable like any node) and produces
 * with kafkajs. Broker faults run the user's commands.
 */

import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { FaultbenchError } from "../../errors.ts";
import { type Network, startNetwork, stopNetwork } from "../../network/network.ts";
import { commandNode } from "../command-node.ts";
import { processNode } from "../process-node.ts";
import type { Target, TargetContext, TargetNode } from "../target.ts";
import { kafkaFacts } from "./facts.ts";
import { createTopic, kafkaHandle, startConsumerGroup } from "./kafka-client.ts";
import type { KafkaTopology } from "./schema.ts";

export class ExternalKafkaTarget implements Target {
  private net: Network | undefined;
  private brokers: string[] | undefined;

  constructor(private readonly o: TargetContext<KafkaTopology>) {}

  /** Where clients bootstrap (through the proxies where there are any), once started. */
  bootstrap(): string[] {
    if (!this.brokers) throw new Error("target not started");
    return this.brokers;
  }

  async start(): Promise<void> {
    const { scenario, supervisor, runDir, projectRoot } = this.o;
    const t = scenario.topology;
    const w = scenario.workload;
    const timeout = this.o.readyTimeoutMs ?? 15_000;
    const links = kafkaFacts(scenario).links;
    if (links.length > 0) {
      this.net = await startNetwork({
        seed: scenario.seed,
        supervisor,
        runDir,
        projectRoot,
        links: [...links],
        upstream: (n) => t.nodes[n]?.address as string,
        listenAt: (l) => t.nodes[l.to]?.proxy,
        readyTimeoutMs: timeout,
      });
    }
    const bootstrap = t.bootstrap.split(",").map((b) => b.trim());
    this.brokers = bootstrap;
    let created: boolean;
    try {
      created = await createTopic(kafkaHandle(bootstrap, w), {
        name: t.topic,
        partitions: t.partitions,
        replication: t.replication,
      });
    } catch (cause) {
      throw new FaultbenchError(
        "FB_ENGINE_START_FAILED",
        `cannot create topic "${t.topic}" on ${t.bootstrap}: ${(cause as Error).message}`,
        { cause },
      );
    }
    if (!created)
      throw new FaultbenchError(
        "FB_ENGINE_START_FAILED",
        `topic "${t.topic}" already exists on ${t.bootstrap}; its earlier messages would count as unexpected ` +
          "deliveries: delete it or name a new one (topology.topic)",
      );
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
      fetchMaxWait: t.fetchMaxWait,
      readyTimeoutMs: timeout,
      sink: this.o.sink,
    });
  }

  node(name: string): TargetNode | undefined {
    const p = this.o.supervisor.nodes.get(name);
    if (p && name !== "proxy") return processNode(p);
    const control = this.o.scenario.topology.nodes[name];
    if (!control) return undefined;
    const logFile = join(this.o.runDir, "logs", `${name}.log`);
    return commandNode(name, control, (line) =>
      appendFileSync(logFile, `--- ${new Date().toISOString()} ${line}\n`),
    );
  }

  network(): Network | undefined {
    return this.net;
  }

  async close(): Promise<void> {
    await stopNetwork(this.net);
  }
}
