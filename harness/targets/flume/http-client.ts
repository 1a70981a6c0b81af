/**
 * The Client of every Flume-HTTP target: the producers post JSON event batches to an HTTP source
 * (our agent's, or a real Flume agent's). One connection per request a producer may have
 * outstanding, so open-loop sends never queue in the client.
 */

import type { PlannedMessage } from "../../generator/schedule.ts";
import type { Workload } from "../../scenario/schema.ts";
import type { Client, PreparedSend, SendOutcome } from "../target.ts";
import { HttpProducer } from "./http-producer.ts";

export class FlumeHttpClient implements Client {
  private producer: HttpProducer | undefined;

  /**
   * `url` is asked for at start: a booted target knows its proxy's port only then. `producers`
   * sizes the pool when this client sends for only some of them (a load worker).
   */
  constructor(
    private readonly url: () => string,
    private readonly w: Workload,
    private readonly producers = w.producers,
  ) {}

  async start(): Promise<void> {
    const connections = Math.min(1024, this.producers * this.w.maxInFlight);
    this.producer = new HttpProducer(this.url(), connections, this.w.timeout, this.w.messageSize);
  }

  endpoint(): { url: string } | undefined {
    return this.producer ? { url: this.url() } : undefined;
  }

  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    if (!this.producer) throw new Error("client not started");
    return this.producer.send(producer, batch);
  }

  prepare(producer: number, batch: readonly PlannedMessage[]): PreparedSend {
    if (!this.producer) throw new Error("client not started");
    return this.producer.prepare(producer, batch);
  }

  async close(): Promise<void> {
    await this.producer?.close();
  }
}

/** A load worker's client, from the harness client's endpoint. */
export function remoteFlumeClient(w: Workload, endpoint: unknown, producers: number): FlumeHttpClient {
  const url = (endpoint as { url?: unknown } | undefined)?.url;
  if (typeof url !== "string") throw new Error(`not an HTTP endpoint: ${JSON.stringify(endpoint)}`);
  return new FlumeHttpClient(() => url, w, producers);
}
