/**
 * Builds the log producers a scenario asks for (`workload.client`, `retries`, `idempotent`), for
 * the in-process driver and for load workers alike, so both send exactly the same way.
 */

import { Kafka, logLevel } from "kafkajs";
import type { LogScenario } from "../../scenario/load.ts";
import { KafkaProducers, type LogProducers, type ProducerOptions } from "./kafka-producer.ts";
import { PlatformaticProducers } from "./platformatic-producer.ts";

/** Client retries when idempotence is on and the scenario names no count: enough to outlast a
 * few seconds of outage, since a send that gives up leaves the client's sequence numbers behind
 * the broker's (see docs in platformatic-producer.ts). */
export const IDEMPOTENT_DEFAULT_RETRIES = 10;

export function logProducers(scenario: LogScenario, brokers: string[], clientId: string): LogProducers {
  const w = scenario.workload;
  const idempotent = w.idempotent ?? false;
  const o: ProducerOptions = {
    topic: scenario.topology.topic,
    partitions: scenario.topology.partitions,
    acks: (w.acks ?? 1) as 0 | 1 | -1,
    timeoutMs: w.timeout,
    messageSize: w.messageSize,
    retries: w.retries ?? (idempotent ? IDEMPOTENT_DEFAULT_RETRIES : 0),
    idempotent,
  };
  if ((w.client ?? DEFAULT_LOG_CLIENT) === "platformatic")
    return new PlatformaticProducers(brokers, w.producers, o);
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    requestTimeout: w.timeout,
    connectionTimeout: Math.min(w.timeout, 1000),
    retry: { retries: 0 },
  });
  return new KafkaProducers(kafka, w.producers, o);
}

/** The client used when a scenario names none: the faster one in `npm run bench:log` (b). */
export const DEFAULT_LOG_CLIENT: "kafkajs" | "platformatic" = "platformatic";
