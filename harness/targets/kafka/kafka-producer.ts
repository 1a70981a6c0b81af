/**
 * Producers for the log engine: one kafkajs producer per harness producer, sending each batch as
 * one `send` (one Produce request). Unkeyed batches stick to one partition per send, rotating
 * (Kafka's sticky partitioner, KIP-480), so a producer's consecutive messages stay consecutive in
 * a partition and deliveries stay compact id ranges; keyed messages use kafkajs's Java-compatible
 * murmur2 partitioner, so the same key always lands in the same partition. kafkajs's own retries
 * are off unless the scenario asks for them (`workload.retries`): a retry hides the outcome the
 * history is meant to record, and without idempotence a retried append is written twice. With
 * `workload.idempotent` the producer gets a producer id and sequence numbers (InitProducerId), so
 * the broker answers a retried batch with its original offsets instead of appending it again.
 */

import { type Kafka, Partitioners, type Producer } from "kafkajs";
import { encodePayload } from "../../generator/payload.ts";
import type { PlannedMessage } from "../../generator/schedule.ts";
import type { SendOutcome } from "../target.ts";
import { classifyKafkaError } from "./kafka-errors.ts";

export interface ProducerOptions {
  topic: string;
  partitions: number;
  acks: 0 | 1 | -1;
  timeoutMs: number;
  messageSize: number;
  /** Client retries of a failed send (0 = none). */
  retries: number;
  idempotent: boolean;
}

/** The harness's producers for the log, whichever client library sends. */
export interface LogProducers {
  connect(): Promise<void>;
  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome>;
  close(): Promise<void>;
}

export class KafkaProducers implements LogProducers {
  private readonly producers: Producer[] = [];
  private readonly sends: number[] = [];

  constructor(
    kafka: Kafka,
    count: number,
    private readonly o: ProducerOptions,
  ) {
    for (let i = 0; i < count; i++) {
      this.producers.push(
        kafka.producer({
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner,
          retry: { retries: o.retries, initialRetryTime: 100, maxRetryTime: 1000 },
          idempotent: o.idempotent,
          maxInFlightRequests: undefined,
        }),
      );
      this.sends.push(0);
    }
  }

  async connect(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.connect()));
  }

  async send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    const p = this.producers[producer];
    if (!p) return { type: "fail", error: `no producer ${producer}` };
    const n = this.sends[producer] ?? 0;
    this.sends[producer] = n + 1;
    const partition = (producer + n) % this.o.partitions;
    const messages = batch.map((m) => {
      const value = encodePayload(producer, m.seq, m.intendedUs, m.size ?? this.o.messageSize);
      return m.key === undefined ? { value, partition } : { key: m.key, value };
    });
    try {
      await p.send({ topic: this.o.topic, acks: this.o.acks, timeout: this.o.timeoutMs, messages });
      return { type: "ok" };
    } catch (err) {
      return classifyKafkaError(err);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.producers.map((p) => p.disconnect()));
  }
}
