/**
 * Producers for the agent engine: batches POSTed to the entry agent's HTTP source as Flume JSON
 * events, over an undici pool with keep-alive. The answer decides the history op: 200 = ok;
 * 503 (channel full) and other 4xx, or a refused connection = fail, because nothing was
 * committed; a timeout or a connection that broke mid-request = info, because the agent may have
 * committed before the answer was lost.
 */

import { type Dispatcher, Pool } from "undici";
import { encodePayload } from "../../generator/payload.ts";
import type { PlannedMessage } from "../../generator/schedule.ts";
import type { SendOutcome } from "../target.ts";

/** Errors raised before any byte of the request could have reached the server. */
const neverSent = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EADDRNOTAVAIL"]);

export function classifyError(err: unknown): SendOutcome {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  const code = e.code ?? e.cause?.code ?? "";
  const error = code || e.message || String(err);
  if (neverSent.has(code) || neverSent.has(e.cause?.code ?? "")) return { type: "fail", error };
  return { type: "info", error };
}

export class HttpProducer {
  private readonly pool: Pool;
  private readonly headers = { "content-type": "application/json; charset=UTF-8" };

  constructor(
    url: string,
    connections: number,
    private readonly timeoutMs: number,
    private readonly messageSize: number,
  ) {
    this.pool = new Pool(url, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      connect: { timeout: Math.min(timeoutMs, 1000) },
    });
  }

  /**
   * The request body for a batch: a JSON array of {headers, body}, written out directly. A payload
   * is digits, dots, hex and padding, so it needs no escaping; a key (from a replayed trace it may be
   * anything) goes through JSON.stringify.
   */
  body(producer: number, batch: readonly PlannedMessage[]): string {
    let out = "[";
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i] as PlannedMessage;
      const headers = m.key === undefined ? "{}" : `{"key":${JSON.stringify(m.key)}}`;
      const payload = encodePayload(producer, m.seq, m.intendedUs, m.size ?? this.messageSize);
      out += `${i === 0 ? "" : ","}{"headers":${headers},"body":"${payload}"}`;
    }
    return `${out}]`;
  }

  async send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    try {
      const statusCode = await this.post(this.body(producer, batch));
      if (statusCode >= 200 && statusCode < 300) return { type: "ok" };
      // Flume answers 503 when the channel is full and 400 for a bad batch: nothing committed.
      // A 500 can follow a partial commit to several channels, so its outcome is unknown.
      if (statusCode >= 400 && statusCode < 500) return { type: "fail", error: `HTTP ${statusCode}` };
      if (statusCode === 503) return { type: "fail", error: "HTTP 503" };
      return { type: "info", error: `HTTP ${statusCode}` };
    } catch (err) {
      return classifyError(err);
    }
  }

  /**
   * One POST through the pool's dispatcher, resolving with the status once the answer has been
   * read to its end. A bare handler rather than `pool.request`: no response stream, abort signal or
   * body mixins per request, which is most of the client's cost per batch at tens of thousands of
   * events per second; the pool, keep-alive, timeouts and error codes are undici's as before.
   */
  private post(body: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let statusCode = 0;
      this.pool.dispatch(
        {
          path: "/",
          method: "POST",
          headers: this.headers,
          body,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        {
          onConnect() {},
          onHeaders(status: number) {
            statusCode = status;
            return true;
          },
          onData() {
            return true;
          },
          onComplete() {
            resolve(statusCode);
          },
          onError(err: Error) {
            reject(err);
          },
        } as unknown as Dispatcher.DispatchHandler,
      );
    });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
