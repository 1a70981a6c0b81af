/**
 * `engine: kafka` — the `topology:` section for a Kafka-protocol cluster the user already runs:
 * where clients connect first, the topic the run creates, and per broker the optional fault
 * plumbing: `proxy` (the broker's advertised listener, where the harness's proxy listens and
 * forwards to `address`) and the commands that kill, pause or restart it.
 */

import { z } from "zod";
import { duration, nodeName, obj, posInt } from "../../scenario/schema.ts";
import { nodeControlFields } from "../command-node.ts";

export const kafkaNodeSchema = obj({
  ...nodeControlFields,
  /**
   * The address this broker advertises, on loopback: the harness's proxy listens here and forwards
   * to `address`, so every client connection to the broker crosses `clients-><node>`.
   */
  proxy: z.string().optional(),
});

export const kafkaTopologySchema = obj({
  /** host:port[,host:port…] the clients bootstrap from. */
  bootstrap: z.string({ error: "is required: the cluster's bootstrap servers, host:port[,host:port…]" }),
  topic: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, { error: "Kafka topic names use letters, digits, '.', '_' and '-'" })
    .default("faultbench"),
  partitions: posInt("partition count").min(1).max(1000).default(6),
  replication: posInt("replication factor").min(1).max(100).default(1),
  /** Brokers the faults may name, with their addresses, proxies and control commands. */
  nodes: z.record(nodeName, kafkaNodeSchema).default({}),
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

export type KafkaTopology = z.output<typeof kafkaTopologySchema>;
export type KafkaNode = z.output<typeof kafkaNodeSchema>;
