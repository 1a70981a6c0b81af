/**
 * The log engine driver: boots the brokers (`faultbench serve log`) on their own data
 * directories, creates the topic, starts every consumer as its own process in one consumer group
 * (so consumers can be killed and paused like brokers), and produces with kafkajs from the harness.
 * Consumers report what they read over IPC; the driver turns that into delivery ops with
 * partition and offset.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import type { PlannedMessage } from "../../generator/schedule.ts";
import type { LogScenario } from "../../scenario/load.ts";
import { type NodeProcess, tsxNode } from "../../supervisor/node-process.ts";
import { freePorts } from "../../supervisor/ports.ts";
import type { Supervisor } from "../../supervisor/supervisor.ts";
import { brokerNames, consumerNames, link, logShape } from "../../topology/links.ts";
import type { ClientEndpoint, DeliverySink, Driver, SendOutcome } from "../driver.ts";
import { type Network, startNetwork, stopNetwork } from "../network.ts";
import type { ConsumerMessage } from "./consumer-process.ts";
import type { LogProducers } from "./kafka-producer.ts";
import { logProducers } from "./log-producers.ts";

export interface LogDriverOptions {
  scenario: LogScenario;
  supervisor: Supervisor;
  runDir: string;
  projectRoot: string;
  sink: DeliverySink;
  readyTimeoutMs?: number;
}

export class LogDriver implements Driver {
  private producers: LogProducers | undefined;
  private net: Network | undefined;
  private bootstrap: string[] | undefined;

  constructor(private readonly o: LogDriverOptions) {}

  clientEndpoint(): ClientEndpoint | undefined {
    return this.bootstrap ? { engine: "log", brokers: this.bootstrap } : undefined;
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
      links: logShape(t, w.consumers).links,
      upstreamPort: (n) => ports[brokers.indexOf(n)] as number,
      readyTimeoutMs: timeout,
    });
    // Brokers advertise their proxy, so every client connection crosses `clients->broker-N`.
    const bootstrap = brokers.map((b) => `127.0.0.1:${this.net?.listen.get(link("clients", b).name)}`);
    this.bootstrap = bootstrap;

    brokers.forEach((name, i) => {
      const dataDir = join(runDir, "data", name);
      mkdirSync(dataDir, { recursive: true });
      // Like Kafka's shipped config/server.properties, no initial rebalance delay unless the
      // scenario asks for one: a group forms as soon as its consumers join.
      const config = { "group.initial.rebalance.delay.ms": 0, ...t.config };
      const sets = Object.entries(config).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
      supervisor.add({
        name,
        ...tsxNode(projectRoot, "harness/cli.ts", [
          "serve",
          "log",
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

    const kafka = new Kafka({
      clientId: "faultbench",
      brokers: bootstrap,
      logLevel: logLevel.NOTHING,
      requestTimeout: w.timeout,
      connectionTimeout: Math.min(w.timeout, 1000),
      retry: { retries: 0 },
    });
    const admin = kafka.admin({ retry: { retries: 5 } });
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }

    const group = `faultbench-${scenario.name}-${Date.now()}`;
    for (const name of consumerNames(w.consumers)) {
      const node = supervisor.add({
        name,
        ...tsxNode(projectRoot, "harness/drivers/log/consumer-process.ts", [
          "--name",
          name,
          "--brokers",
          bootstrap.join(","),
          "--topic",
          t.topic,
          "--group",
          group,
          "--session-timeout",
          String(t.sessionTimeout),
          "--rebalance-timeout",
          String(t.rebalanceTimeout),
          "--heartbeat",
          String(t.heartbeatInterval),
        ]),
        logPath: join(runDir, "logs", `${name}.log`),
        readyTimeoutMs: Math.max(timeout, t.rebalanceTimeout + 5000),
        ipc: true,
        // Consumers leave together at the end, not one rebalance after another.
        tier: "consumers",
      });
      node.onMessage = (m) => this.deliver(name, m as ConsumerMessage);
    }
    await Promise.all(consumerNames(w.consumers).map((c) => supervisor.get(c).start()));

    this.producers = logProducers(scenario, bootstrap, "faultbench");
    await this.producers.connect();
  }

  private deliver(consumer: string, m: ConsumerMessage): void {
    for (const [producer, from, to, partition, offset] of m.runs) {
      this.o.sink.delivered(consumer, consumer, producer, from, to, { partition, offset });
    }
    if (m.unparsed > 0) this.o.sink.unparsed(consumer, m.unparsed, m.sample ?? "");
  }

  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    if (!this.producers) throw new Error("driver not started");
    return this.producers.send(producer, batch);
  }

  node(name: string): NodeProcess | undefined {
    return this.o.supervisor.nodes.get(name);
  }

  network(): Network | undefined {
    return this.net;
  }

  setDelay(): void {
    // The log has no collector to slow down; scenario validation rejects `slow` for it.
  }

  async close(): Promise<void> {
    await this.producers?.close();
    await stopNetwork(this.net);
  }
}
