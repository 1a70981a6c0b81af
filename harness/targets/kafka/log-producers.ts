/**
 * The producers a Kafka-protocol scenario asks for (`workload.client`, `retries`, `idempotent`),
 * built the same way in the harness and in load workers.
 */

import type { Workload } from "../../scenario/schema.ts";
import { KafkaProducers, type LogProducers, type ProducerOptions } from "./kafka-producer.ts";
import { PlatformaticProducers } from "./platformatic-producer.ts";
import { DEFAULT_LOG_CLIENT, IDEMPOTENT_DEFAULT_RETRIES } from "./producer-options.ts";

export function logProducers(
  o: { topic: string; partitions: number; workload: Workload },
  brokers: readonly string[],
  kafkajs: () => import("kafkajs").Kafka,
): LogProducers {
  const w = o.workload;
  const idempotent = w.idempotent ?? false;
  const options: ProducerOptions = {
    topic: o.topic,
    partitions: o.partitions,
    acks: (w.acks ?? 1) as 0 | 1 | -1,
    timeoutMs: w.timeout,
    messageSize: w.messageSize,
    retries: w.retries ?? (idempotent ? IDEMPOTENT_DEFAULT_RETRIES : 0),
    idempotent,
  };
  if ((w.client ?? DEFAULT_LOG_CLIENT) === "platformatic") {
    return new PlatformaticProducers([...brokers], w.producers, options);
  }
  return new KafkaProducers(kafkajs(), w.producers, options);
}
