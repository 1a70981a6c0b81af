/**
 * Producers for the log engine through @platformatic/kafka 1.35 (flexible protocol versions), with
 * the same placement as the kafkajs producers: unkeyed batches go to one partition per send,
 * rotating; keyed messages go where the client's default partitioner puts them (murmur2 of the key,
 * unsigned, modulo the partition count), computed here so a keyed batch can be split per partition. Client retries are off unless
 * the scenario turns them on (`workload.retries`, implied by `workload.idempotent`).
 *
 * A failed send forgets the client's metadata, so the next one looks the leader up again (after a
 * leader is killed, 1.35 would otherwise keep sending to it until its metadata ages out).
 *
 * Idempotent sends are serialised per producer: @platformatic/kafka 1.35 numbers a batch with the
 * partition's sequence as it stands and advances it only when the answer arrives, so two sends in
 * flight to one partition carry the same sequence, and a broker (ours, like Kafka) takes the second
 * for a retry of the first — answered as written, never appended. kafkajs serialises the same way
 * internally (one request in flight per broker when idempotent).
 */

import { murmur2, Producer } from "@platformatic/kafka";
import { encodePayload } from "../../generator/payload.ts";
import type { PlannedMessage } from "../../generator/schedule.ts";
import type { SendOutcome } from "../target.ts";
import type { LogProducers, ProducerOptions } from "./kafka-producer.ts";
import { splitByPartition } from "./split-by-partition.ts";

/** Kafka error ids after which the records may still have been appended. */
const maybeWritten = new Set([
  "REQUEST_TIMED_OUT",
  "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
  "NETWORK_EXCEPTION",
  "UNKNOWN_SERVER_ERROR",
]);

interface PltError {
  name?: string;
  code?: string;
  apiId?: string;
  message?: string;
  errors?: unknown[];
  cause?: unknown;
}

/** Every error in the tree (AggregateError members and causes), outermost first. */
function flatten(err: unknown, out: PltError[] = [], depth = 0): PltError[] {
  if (!err || typeof err !== "object" || depth > 6) return out;
  const e = err as PltError;
  out.push(e);
  for (const inner of e.errors ?? []) flatten(inner, out, depth + 1);
  flatten(e.cause, out, depth + 1);
  return out;
}

/** What a @platformatic/kafka failure means for the history (see kafka-errors.ts for kafkajs). */
export function classifyPlatformaticError(err: unknown): SendOutcome {
  const all = flatten(err);
  const first = all[0] ?? {};
  const protocol = all.filter((e) => e.code === "PLT_KFK_PROTOCOL");
  // The innermost distinct reasons (Kafka error ids, network causes) say more than the wrapper.
  const reasons = [
    ...new Set(
      all
        .slice(1)
        .map((e) => e.apiId ?? (e as { code?: string }).code ?? e.message)
        .filter(Boolean),
    ),
  ];
  const head = `${first.name ?? "Error"}: ${(first.message ?? String(err)).split("\n")[0]}`;
  const error = reasons.length > 0 ? `${head} (${reasons.slice(0, 3).join(", ")})` : head;
  if (protocol.length > 0) {
    return protocol.some((e) => maybeWritten.has(String(e.apiId)))
      ? { type: "info", error }
      : { type: "fail", error };
  }
  // Refused by the client itself before any request (an unknown topic, a bad option).
  if (all.some((e) => e.code === "PLT_KFK_USER")) return { type: "fail", error };
  // The request never left: nobody accepted the connection.
  if (
    all.some((e) => /ECONNREFUSED|EADDRNOTAVAIL/.test(String((e as { code?: string }).code ?? e.message)))
  ) {
    return { type: "fail", error };
  }
  // Timeouts, closed connections, anything else: the request may have been written.
  return { type: "info", error };
}

export class PlatformaticProducers implements LogProducers {
  private readonly producers: Producer[] = [];
  private readonly sends: number[] = [];
  /** Per producer, the tail of its queue of idempotent sends. */
  private readonly tails: Array<Promise<unknown>> = [];

  constructor(
    brokers: string[],
    count: number,
    private readonly o: ProducerOptions,
  ) {
    for (let i = 0; i < count; i++) {
      this.producers.push(
        new Producer({
          clientId: `faultbench-${i}`,
          bootstrapBrokers: brokers,
          timeout: o.timeoutMs,
          connectTimeout: Math.min(o.timeoutMs, 1000),
          retries: o.retries,
          retryDelay: 250,
          autocreateTopics: false,
          idempotent: o.idempotent,
          acks: o.acks,
        }),
      );
      this.sends.push(0);
      this.tails.push(Promise.resolve());
    }
  }

  /** The partition @platformatic/kafka's default partitioner picks for a key. */
  partitionOf(key: string): number {
    return (murmur2(Buffer.from(key)) >>> 0) % this.o.partitions;
  }

  split(batch: readonly PlannedMessage[]): PlannedMessage[][] {
    return splitByPartition(batch, (key) => this.partitionOf(key));
  }

  async connect(): Promise<void> {
    // Metadata up front, so the first measured send does not pay for discovery.
    await Promise.all(this.producers.map((p) => p.metadata({ topics: [this.o.topic] })));
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
        ? { topic: this.o.topic, value: Buffer.from(value), partition }
        : {
            topic: this.o.topic,
            key: Buffer.from(m.key),
            value: Buffer.from(value),
            partition: this.partitionOf(m.key),
          };
    });
    const attempt = async (): Promise<SendOutcome> => {
      try {
        await p.send({ messages, acks: this.o.acks });
        return { type: "ok" };
      } catch (err) {
        // 1.35 retries a send against the leader it looked up first and refreshes its metadata
        // only on a stale-metadata error or after metadataMaxAge (5 s): a killed leader refuses
        // every retry. Forgetting the metadata sends the next batch to the new leader at once.
        p.clearMetadata();
        return classifyPlatformaticError(err);
      }
    };
    if (!this.o.idempotent) return attempt();
    const run = this.tails[producer]!.then(attempt);
    this.tails[producer] = run;
    return run;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.producers.map((p) => p.close()));
  }
}
