/**
 * The log target's `topology:` section: brokers, the topic, broker settings and the consumer
 * group's timing.
 */

import { z } from "zod";
import { duration, obj, posInt } from "../../scenario/schema.ts";

export const logTopologySchema = obj({
  /** Brokers in the cluster (one today; replication arrives with the controller). */
  brokers: posInt("broker count")
    .min(1)
    .max(1, { error: "one broker for now; replication is not built yet" })
    .default(1),
  topic: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, { error: "Kafka topic names use letters, digits, '.', '_' and '-'" })
    .default("faultbench"),
  partitions: posInt("partition count").min(1).max(1000).default(6),
  /** Broker settings passed as `--set key=value` (e.g. `flush.messages: 1`). */
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** kafkajs consumer settings. */
  sessionTimeout: duration.default(10_000),
  heartbeatInterval: duration.default(1000),
  rebalanceTimeout: duration.default(10_000),
});

export type LogTopology = z.output<typeof logTopologySchema>;
