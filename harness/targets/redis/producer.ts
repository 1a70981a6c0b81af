/**
 * Producers for Redis Streams: one ioredis connection per harness producer, each send one
 * pipeline of XADDs (one round trip for the batch). The client is told never to hide an outcome:
 * no offline queue (a command while disconnected fails at once: never sent, so `fail`), no resend
 * of unanswered commands after a reconnect, and a command timeout. An XADD that was written but
 * got no reply (timeout, connection lost) is `info`: it may or may not be in the stream.
 */

import { Redis } from "ioredis";
import { encodePayload } from "../../generator/payload.ts";
import type { PlannedMessage } from "../../generator/schedule.ts";
import { StickyPartitioner } from "../shared/sticky-partitioner.ts";
import type { SendOutcome } from "../target.ts";

export interface RedisProducerOptions {
  port: number;
  streams: readonly string[];
  timeoutMs: number;
  messageSize: number;
}

/** One pipeline reply: [error, result]. */
export type PipelineReply = [Error | null, unknown];

/** A send's outcome from its pipeline's replies, or from the error that ended the pipeline. */
export function classifyRedis(replies: readonly PipelineReply[] | null, thrown?: unknown): SendOutcome {
  if (thrown !== undefined) return classifyRedisError(thrown);
  if (!replies || replies.length === 0) return { type: "info", error: "no replies" };
  const outcomes = replies.map(([err]) => (err ? classifyRedisError(err) : ({ type: "ok" } as const)));
  if (outcomes.every((o) => o.type === "ok")) return { type: "ok" };
  const firstBad = outcomes.find((o) => o.type !== "ok") as Exclude<SendOutcome, { type: "ok" }>;
  // All refused: nothing written. Anything else (some written, some unknown): unknown.
  if (outcomes.every((o) => o.type === "fail")) return firstBad;
  return { type: "info", error: firstBad.error };
}

export function classifyRedisError(err: unknown): Exclude<SendOutcome, { type: "ok" }> {
  const e = err as { name?: string; message?: string };
  const message = e?.message ?? String(err);
  // The server answered with an error (LOADING, OOM, MISCONF, ...): it did not apply the command.
  if (e?.name === "ReplyError") return { type: "fail", error: message };
  // With the offline queue off, a command while disconnected is refused before it is written.
  if (/isn't writeable|enableOfflineQueue/.test(message)) return { type: "fail", error: message };
  return { type: "info", error: message };
}

export class RedisProducers {
  private readonly clients: Redis[] = [];
  private readonly partitioner: StickyPartitioner;

  constructor(
    count: number,
    private readonly o: RedisProducerOptions,
  ) {
    this.partitioner = new StickyPartitioner(o.streams.length);
    for (let i = 0; i < count; i++) {
      this.clients.push(
        new Redis({
          host: "127.0.0.1",
          port: o.port,
          connectionName: `producer-${i}`,
          lazyConnect: true,
          enableOfflineQueue: false,
          // Without the ready check, a restarted Redis still loading its append-only file answers
          // LOADING at once, instead of ioredis polling INFO for up to a second.
          enableReadyCheck: false,
          autoResendUnfulfilledCommands: false,
          maxRetriesPerRequest: 0,
          commandTimeout: o.timeoutMs,
          connectTimeout: Math.min(o.timeoutMs, 1000),
          retryStrategy: () => 100,
        }),
      );
    }
    // ioredis reports connection trouble as events; the outcomes carry it into the history.
    for (const c of this.clients) c.on("error", () => undefined);
  }

  async connect(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.connect()));
  }

  async send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    const client = this.clients[producer];
    if (!client) return { type: "fail", error: `no producer ${producer}` };
    const parts = this.partitioner.assign(producer, batch);
    const pipeline = client.pipeline();
    batch.forEach((m, i) => {
      const stream = this.o.streams[parts[i] as number] as string;
      pipeline.xadd(stream, "*", "v", encodePayload(producer, m.seq, m.intendedUs, this.o.messageSize));
    });
    try {
      return classifyRedis((await pipeline.exec()) as PipelineReply[] | null);
    } catch (err) {
      return classifyRedis(null, err);
    }
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.disconnect();
  }
}
