/**
 * What every Kafka-protocol target shares: the kafkajs handle with the harness's timeouts, topic
 * creation, the consumer group (each consumer its own supervised process, `consumer-N`, so node
 * faults reach consumers as they reach brokers) and the producers as the target's Client.
 */

import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import type { PlannedMessage } from "../../generator/schedule.ts";
import { consumerNames } from "../../network/links.ts";
import type { Workload } from "../../scenario/schema.ts";
import { tsxNode } from "../../supervisor/node-process.ts";
import type { Supervisor } from "../../supervisor/supervisor.ts";
import type { Client, DeliverySink, SendOutcome } from "../target.ts";
import type { ConsumerMessage, GroupEventMessage } from "./consumer-process.ts";
import type { LogProducers } from "./kafka-producer.ts";
import { logProducers } from "./log-producers.ts";

export function kafkaHandle(brokers: readonly string[], w: Workload): Kafka {
  return new Kafka({
    clientId: "faultbench",
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    requestTimeout: w.timeout,
    connectionTimeout: Math.min(w.timeout, 1000),
    retry: { retries: 0 },
  });
}

/** Creates the topic; false when it already existed. */
export async function createTopic(
  kafka: Kafka,
  topic: {
    name: string;
    partitions: number;
    replication: number;
    configs?: Record<string, string>;
    /** Broker ids of each partition's replicas (then partitions and replication are implied, as in Kafka). */
    assignments?: number[][];
  },
): Promise<boolean> {
  const admin = kafka.admin({ retry: { retries: 5 } });
  await admin.connect();
  try {
    return await admin.createTopics({
      topics: [
        {
          topic: topic.name,
          ...(topic.assignments
            ? { replicaAssignment: topic.assignments.map((replicas, partition) => ({ partition, replicas })) }
            : { numPartitions: topic.partitions, replicationFactor: topic.replication }),
          configEntries: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
        },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export interface ConsumerGroupOptions {
  supervisor: Supervisor;
  projectRoot: string;
  runDir: string;
  bootstrap: readonly string[];
  topic: string;
  group: string;
  count: number;
  sessionTimeout: number;
  rebalanceTimeout: number;
  heartbeatInterval: number;
  /** The consumers' fetch long poll, ms (kafkajs maxWaitTimeInMs). */
  fetchMaxWait: number;
  readyTimeoutMs: number;
  sink: DeliverySink;
}

/** Starts `consumer-1..N` in one group and resolves when every one has joined. */
export async function startConsumerGroup(o: ConsumerGroupOptions): Promise<string[]> {
  const names = consumerNames(o.count);
  for (const name of names) {
    const node = o.supervisor.add({
      name,
      ...tsxNode(o.projectRoot, "harness/targets/kafka/consumer-process.ts", [
        "--name",
        name,
        "--brokers",
        o.bootstrap.join(","),
        "--topic",
        o.topic,
        "--group",
        o.group,
        "--session-timeout",
        String(o.sessionTimeout),
        "--rebalance-timeout",
        String(o.rebalanceTimeout),
        "--heartbeat",
        String(o.heartbeatInterval),
        "--max-wait",
        String(o.fetchMaxWait),
      ]),
      logPath: join(o.runDir, "logs", `${name}.log`),
      readyTimeoutMs: Math.max(o.readyTimeoutMs, o.rebalanceTimeout + 5000),
      ipc: true,
      // Consumers leave together at the end, not one rebalance after another.
      tier: "consumers",
    });
    node.onMessage = (m) => {
      if ("group" in (m as object)) o.sink.groupEvent?.(name, (m as GroupEventMessage).group);
      else deliver(o.sink, name, m as ConsumerMessage);
    };
  }
  await Promise.all(names.map((c) => o.supervisor.get(c).start()));
  return names;
}

function deliver(sink: DeliverySink, consumer: string, m: ConsumerMessage): void {
  for (const [producer, from, to, partition, offset, epoch] of m.runs) {
    sink.delivered(
      consumer,
      consumer,
      producer,
      from,
      to,
      epoch === undefined ? { partition, offset } : { partition, offset, epoch },
    );
  }
  if (m.unparsed > 0) sink.unparsed(consumer, m.unparsed, m.sample ?? "");
  if (m.corrupted) sink.unparsed(consumer, m.corrupted, m.corruptSample ?? "", true);
}

/** The producers, one per harness producer, through the scenario's client library. */
export class KafkaClient implements Client {
  private producers: LogProducers | undefined;
  private brokerList: readonly string[] | undefined;

  /** `brokers` is asked for at start: a booted target knows its proxies' ports only then. */
  constructor(
    private readonly brokers: () => readonly string[],
    private readonly o: { topic: string; partitions: number; workload: Workload },
  ) {}

  async start(): Promise<void> {
    const w = this.o.workload;
    this.brokerList = this.brokers();
    const brokers = this.brokerList;
    this.producers = logProducers(this.o, brokers, () => kafkaHandle(brokers, w));
    await this.producers.connect();
  }

  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    if (!this.producers) throw new Error("client not started");
    return this.producers.send(producer, batch);
  }

  split(_producer: number, batch: readonly PlannedMessage[]): PlannedMessage[][] {
    if (!this.producers) throw new Error("client not started");
    return this.producers.split(batch);
  }

  async close(): Promise<void> {
    await this.producers?.close();
  }

  endpoint(): { brokers: string[] } | undefined {
    return this.brokerList ? { brokers: [...this.brokerList] } : undefined;
  }
}

/** A load worker's client, from the harness client's endpoint. */
export function remoteKafkaClient(
  o: { topic: string; partitions: number; workload: Workload },
  endpoint: unknown,
): KafkaClient {
  const brokers = (endpoint as { brokers?: unknown } | undefined)?.brokers;
  if (!Array.isArray(brokers) || !brokers.every((b) => typeof b === "string"))
    throw new Error(`not a Kafka endpoint: ${JSON.stringify(endpoint)}`);
  return new KafkaClient(() => brokers as string[], o);
}
