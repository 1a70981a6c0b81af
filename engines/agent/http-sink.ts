/**
 * HTTP sink: takes up to batchSize events in one channel transaction and POSTs them as one JSON
 * array of `{headers, body}` (the HTTP source's own format, so a sink can feed the next agent's
 * source), then commits on 2xx and rolls back otherwise.
 *
 * Departures from Flume's HttpSink, which posts one event per transaction with the body only:
 * we post batches with headers, because per-event requests cap a hop at a few thousand events/s
 * and drop headers across hops. And a failed delivery (connect error, timeout, a status that rolls
 * back) throws EventDeliveryException instead of returning BACKOFF, so failover and load_balance
 * processors see the failure and react (with Flume's HttpSink they never fire).
 *
 * Per status code, `rollback.CODE` / `backoff.CODE` override the defaults (roll back and back off
 * unless 2xx); the most specific key wins (`503` over `5XX`), as in Flume.
 */

import { Client } from "undici";
import type { Channel } from "./channel.ts";
import type { HttpSinkConfig } from "./config.ts";
import type { AgentEvent } from "./event.ts";
import { EventDeliveryException, type Processable, type SinkStatus } from "./sink-status.ts";

export interface SinkCounters {
  ConnectionCreatedCount: number;
  ConnectionClosedCount: number;
  ConnectionFailedCount: number;
  BatchEmptyCount: number;
  BatchUnderflowCount: number;
  BatchCompleteCount: number;
  EventDrainAttemptCount: number;
  EventDrainSuccessCount: number;
  EventWriteFail: number;
  ChannelReadFail: number;
  StartTime: number;
  StopTime: number;
}

/** How long an idle sink waits on the channel before reporting IDLE and going round its loop. */
const IDLE_WAIT_MS = 1000;

export class HttpSink implements Processable {
  readonly counters: SinkCounters = {
    ConnectionCreatedCount: 0,
    ConnectionClosedCount: 0,
    ConnectionFailedCount: 0,
    BatchEmptyCount: 0,
    BatchUnderflowCount: 0,
    BatchCompleteCount: 0,
    EventDrainAttemptCount: 0,
    EventDrainSuccessCount: 0,
    EventWriteFail: 0,
    ChannelReadFail: 0,
    StartTime: 0,
    StopTime: 0,
  };
  private readonly client: Client;
  private readonly path: string;
  private stopped = false;
  private wakeStop: (() => void) | undefined;
  private readonly stopSignal = new Promise<void>((resolve) => {
    this.wakeStop = resolve;
  });

  constructor(
    readonly config: HttpSinkConfig,
    private readonly channel: Channel,
  ) {
    const url = new URL(config.endpoint);
    this.path = `${url.pathname}${url.search}`;
    this.client = new Client(url.origin, {
      connect: { timeout: config.connectTimeoutMs },
      headersTimeout: config.requestTimeoutMs,
      bodyTimeout: config.requestTimeoutMs,
      keepAliveTimeout: 30_000,
    });
    this.client.on("connect", () => this.counters.ConnectionCreatedCount++);
    this.client.on("disconnect", () => this.counters.ConnectionClosedCount++);
  }

  get name(): string {
    return this.config.name;
  }

  start(): void {
    this.counters.StartTime = Date.now();
  }

  /** Wakes a sink waiting on an empty channel; the caller then waits for the runner loop to end. */
  stop(): void {
    this.stopped = true;
    this.wakeStop?.();
    this.counters.StopTime = Date.now();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async process(): Promise<SinkStatus> {
    if (this.channel.size() === 0) {
      if (this.stopped) return "IDLE";
      await Promise.race([this.channel.waitForEvents(IDLE_WAIT_MS), this.stopSignal]);
      if (this.channel.size() === 0) {
        this.counters.BatchEmptyCount++;
        return "IDLE";
      }
    }
    const tx = this.channel.begin();
    const batch: AgentEvent[] = [];
    try {
      for (let i = 0; i < this.config.batchSize; i++) {
        const e = tx.take();
        if (e === undefined) break;
        batch.push(e);
      }
    } catch (e) {
      this.counters.ChannelReadFail++;
      await tx.rollback();
      throw new EventDeliveryException(
        `sink ${this.name}: cannot take from channel: ${(e as Error).message}`,
        { cause: e },
      );
    }
    if (batch.length === 0) {
      await tx.commit();
      this.counters.BatchEmptyCount++;
      return "IDLE";
    }
    if (batch.length < this.config.batchSize) this.counters.BatchUnderflowCount++;
    else this.counters.BatchCompleteCount++;
    this.counters.EventDrainAttemptCount += batch.length;

    let status: number;
    try {
      const res = await this.client.request({
        path: this.path,
        method: "POST",
        headers: { "content-type": "application/json; charset=UTF-8" },
        body: JSON.stringify(batch),
      });
      status = res.statusCode;
      await res.body.dump();
    } catch (e) {
      this.counters.ConnectionFailedCount++;
      this.counters.EventWriteFail += batch.length;
      await tx.rollback();
      throw new EventDeliveryException(
        `sink ${this.name}: POST ${this.config.endpoint} failed: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    const ok = status >= 200 && status < 300;
    const rollback = this.override(this.config.rollback, status) ?? !ok;
    const backoff = this.override(this.config.backoff, status) ?? !ok;
    if (rollback) {
      this.counters.EventWriteFail += batch.length;
      await tx.rollback();
      throw new EventDeliveryException(
        `sink ${this.name}: ${this.config.endpoint} answered ${status}; batch rolled back`,
        {
          backoff,
        },
      );
    }
    await tx.commit();
    // Committed without a 2xx (e.g. rollback.400 = false) means the batch was dropped, not delivered.
    if (ok) this.counters.EventDrainSuccessCount += batch.length;
    return backoff ? "BACKOFF" : "READY";
  }

  private override(table: Record<string, boolean>, status: number): boolean | undefined {
    return table[String(status)] ?? table[`${Math.floor(status / 100)}XX`];
  }
}
