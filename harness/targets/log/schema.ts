/**
 * The log target's `topology:` section: brokers, the topic and its configs, broker settings and the consumer
 * group's timing.
 */

import { z } from "zod";
import { duration, obj, posInt } from "../../scenario/schema.ts";

export const logTopologySchema = obj({
  /** Brokers: one is a single broker; more form a replicated cluster with a Raft controller quorum. */
  brokers: posInt("broker count").min(1).max(9, { error: "at most 9 brokers on one machine" }).default(1),
  /**
   * The controller quorum: `combined` runs it inside brokers 1–3 (Kafka's process.roles
   * broker,controller); 1 or 3 start dedicated `controller-N` processes.
   */
  controllers: z
    .union([z.literal("combined"), z.literal(1), z.literal(3)], {
      error: "controllers is combined, 1 or 3",
    })
    .default("combined"),
  /** Replicas of each partition of the topic (at most `brokers`). */
  replication: posInt("replication factor").min(1).max(9).default(1),
  topic: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, { error: "Kafka topic names use letters, digits, '.', '_' and '-'" })
    .default("faultbench"),
  partitions: posInt("partition count").min(1).max(1000).default(6),
  /**
   * Place the topic's replicas round-robin on brokers 1..N only (partition p on broker p mod N + 1
   * and the next ones); the other brokers start with no partitions, to scale out onto them with
   * a `reassign` fault. Default: every broker.
   */
  initialBrokers: posInt("broker count").min(1).max(9).optional(),
  /** Broker settings passed as `--set key=value` (e.g. `flush.messages: 1`). */
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /**
   * The topic's own configs (CreateTopics `configs`), overriding the broker-wide ones for this
   * topic only: `min.insync.replicas`, `unclean.leader.election.enable`, `retention.ms`, ...
   * (engines/log/topic-configs.ts; checked when the scenario is loaded).
   */
  topicConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** kafkajs consumer settings. */
  sessionTimeout: duration.default(10_000),
  heartbeatInterval: duration.default(1000),
  rebalanceTimeout: duration.default(10_000),
  /**
   * The consumers' fetch long poll (kafkajs maxWaitTimeInMs). 500 ms, the Java consumer's
   * fetch.max.wait.ms default, not kafkajs's 5 s: before kafkajs rejoins after a rebalance, a
   * coordinator error or a broker leaving the metadata, it waits for every fetcher to finish its
   * poll — and a fetcher for a broker that leads none of its partitions sleeps this long — so
   * kafkajs's default adds up to 5 s of silence to each of those, a client cost the engine
   * would be charged with.
   */
  fetchMaxWait: duration.default(500),
});

export type LogTopology = z.output<typeof logTopologySchema>;
