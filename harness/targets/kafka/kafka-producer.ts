/**
 * Producers for the log engine: one kafkajs producer per harness producer, sending each batch as
 * one `send` (one Produce request). Unkeyed batches stick to one partition per send, rotating
 * (Kafka's sticky partitioner, KIP-480), so a producer's consecutive messages stay consecutive in
 * a partition and deliveries stay compact id ranges; keyed messages use kafkajs's Java-compatible
 * murmur2 partitioner, so the same key always lands in the same partition. A keyed batch is split
 * by that same partitioner into one send per partition (`split`), so each partition's outcome is
 * recorded on its own: kafkajs fails a whole send when any one partition answers with an error.
 * kafkajs's own retries are off unless the scenario asks for them (`workload.retries`): a retry
 * hides the outcome the history is meant to record, and without idempotence a retried append is
 * written twice. With `workload.idempotent` the producer gets a producer id and sequence numbers
 * (InitProducerId), so the broker answers a retried batch with its original offsets instead of
 * appending it again.
 *
 * A send counts as acknowledged only when kafkajs returns an answer for every partition it went
 * to. kafkajs 2.2.4 can resolve a send that it never sent: when a connection to the seed broker
 * closes while a metadata refresh is in flight (a broker killed or paused), `removeBroker` makes
 * another broker the seed and the refresh then renames that broker's object to the removed node's
 * id (BrokerPool.refreshMetadata: `this.seedBroker.nodeId = nodeId`). From then on every send to
 * the renamed broker's partitions goes out as a Produce request with no partitions, the broker
 * answers it with nothing, and kafkajs resolves with no RecordMetadata — an acknowledgement for
 * records that were never written. Such a send is recorded as failed, and the producer reconnects
 * to rebuild its broker map.
 */

import { type ICustomPartitioner, type Kafka, Partitioners, type Producer } from "kafkajs";
import { encodePayload } from "../../generator/payload.ts";
import type { PlannedMessage } from "../../generator/schedule.ts";
import type { SendOutcome } from "../target.ts";
import { classifyKafkaError } from "./kafka-errors.ts";
import { splitByPartition } from "./split-by-partition.ts";

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
  /** A keyed batch as one part per partition the client's partitioner picks; unkeyed stays whole. */
  split(batch: readonly PlannedMessage[]): PlannedMessage[][];
  close(): Promise<void>;
}

export class KafkaProducers implements LogProducers {
  private readonly producers: Producer[] = [];
  private readonly sends: number[] = [];
  /** Per producer, a reconnect in progress (its broker map was found stale). */
  private readonly repairs: Array<Promise<void> | undefined> = [];
  /** The producers' own partitioner, asked where each keyed message goes (placement unchanged). */
  private readonly partitioner = (Partitioners.DefaultPartitioner as ICustomPartitioner)();
  private readonly partitionMetadata: Array<{ partitionId: number; leader: number }>;

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
    // The partitioner reads only the partition count for keyed messages (murmur2(key) % count).
    this.partitionMetadata = Array.from({ length: o.partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
    }));
  }

  /** Where the producers' partitioner puts a keyed message. */
  partitionOf(key: string): number {
    return this.partitioner({
      topic: this.o.topic,
      partitionMetadata: this.partitionMetadata as never,
      message: { key, value: null },
    });
  }

  /**
   * A keyed batch as one part per partition (in id order within each part); an unkeyed batch
   * stays whole, since it goes to one partition.
   */
  split(batch: readonly PlannedMessage[]): PlannedMessage[][] {
    return splitByPartition(batch, (key) => this.partitionOf(key));
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
      return m.key === undefined
        ? { value, partition }
        : { key: m.key, value, partition: this.partitionOf(m.key) };
    });
    try {
      await this.repairs[producer];
      const answers = await p.send({
        topic: this.o.topic,
        acks: this.o.acks,
        timeout: this.o.timeoutMs,
        messages,
      });
      // acks=0: kafkajs reads no answer, so there is nothing to check.
      const missing = this.o.acks === 0 ? [] : unanswered(messages, answers);
      if (missing.length > 0) {
        this.repair(producer, p);
        return {
          type: "fail",
          error: `kafkajs resolved the send without an answer for partition ${missing.join(", ")}: its broker map is stale and it sent no records (reconnecting)`,
        };
      }
      return { type: "ok" };
    } catch (err) {
      return classifyKafkaError(err);
    }
  }

  /** Reconnects one producer (a fresh broker map), once at a time; its next sends wait for it. */
  private repair(producer: number, p: Producer): void {
    if (this.repairs[producer]) return;
    this.repairs[producer] = (async () => {
      await p.disconnect().catch(() => undefined);
      await p.connect().catch(() => undefined);
      this.repairs[producer] = undefined;
    })();
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.producers.map((p) => p.disconnect()));
  }
}

/** Partitions a send went to that kafkajs returned no successful RecordMetadata for. */
export function unanswered(
  messages: ReadonlyArray<{ partition: number }>,
  answers: ReadonlyArray<{ partition: number; errorCode: number }> | undefined,
): number[] {
  const ok = new Set((answers ?? []).filter((a) => a.errorCode === 0).map((a) => a.partition));
  return [...new Set(messages.map((m) => m.partition))].filter((x) => !ok.has(x)).sort((a, b) => a - b);
}
