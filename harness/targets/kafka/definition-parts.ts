/**
 * What every Kafka-protocol target definition (our log, an external cluster) shares: the client's
 * options from the scenario, the remote client for load workers, and the partition-order analysis.
 */

import { partitionOrder } from "../../checkers/partition-order.ts";
import type { Op } from "../../history/op.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import type { Client } from "../target.ts";

/** The topology fields a Kafka client needs. */
export interface KafkaTopicTopology {
  topic: string;
  partitions: number;
}

export function kafkaClientOptions(scenario: Scenario<KafkaTopicTopology>) {
  const t = scenario.topology;
  return { topic: t.topic, partitions: t.partitions, workload: scenario.workload };
}

export async function kafkaRemoteClient(
  scenario: Scenario<KafkaTopicTopology>,
  endpoint: unknown,
): Promise<Client> {
  const { remoteKafkaClient } = await import("./kafka-client.ts");
  return remoteKafkaClient(kafkaClientOptions(scenario), endpoint);
}

export function kafkaOrderAnalysis(ops: readonly Op[]) {
  const order = partitionOrder(ops);
  return order ? { order } : {};
}
