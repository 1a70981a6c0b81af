/**
 * Flume's HTTP source with the default JSONHandler: a POST whose body is a JSON array of
 * `{headers, body}` events is one batch, committed as one transaction on each of the source's
 * channels in order (all channels are "required": the replicating selector). Status codes follow
 * Flume: 200 once every channel committed; 400 for a body that is not JSON or not an array of
 * events; 503 when a channel refuses (full within keep-alive, transaction too big); 500 otherwise.
 * As in Flume, a failure on the second channel after the first committed still answers 503, and the
 * client's retry duplicates into the first channel.
 *
 * Departures: only UTF-8 bodies; only POST (Flume also treats GET as a batch); bodies over 64 MiB
 * get 413 instead of reaching the handler.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Channel, ChannelException } from "./channel.ts";
import type { HttpSourceConfig } from "./config.ts";
import { type AgentEvent, asEvents } from "./event.ts";

export interface SourceCounters {
  EventReceivedCount: number;
  EventAcceptedCount: number;
  AppendBatchReceivedCount: number;
  AppendBatchAcceptedCount: number;
  OpenConnectionCount: number;
  EventReadFail: number;
  ChannelWriteFail: number;
  GenericProcessingFail: number;
  StartTime: number;
  StopTime: number;
}

const MAX_BODY = 64 * 1024 * 1024;

export class HttpSource {
  readonly counters: SourceCounters = {
    EventReceivedCount: 0,
    EventAcceptedCount: 0,
    AppendBatchReceivedCount: 0,
    AppendBatchAcceptedCount: 0,
    OpenConnectionCount: 0,
    EventReadFail: 0,
    ChannelWriteFail: 0,
    GenericProcessingFail: 0,
    StartTime: 0,
    StopTime: 0,
  };
  private server: Server | undefined;

  constructor(
    readonly config: HttpSourceConfig,
    private readonly channels: Channel[],
    private readonly log: (m: string) => void,
  ) {}

  get name(): string {
    return this.config.name;
  }

  /** Listens and returns the bound port. */
  async start(): Promise<number> {
    const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => this.handle(req, res));
    server.on("connection", (sock) => {
      this.counters.OpenConnectionCount++;
      sock.once("close", () => this.counters.OpenConnectionCount--);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.config.port, this.config.bind, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.counters.StartTime = Date.now();
    return (server.address() as AddressInfo).port;
  }

  /** Stops accepting; requests in progress finish (their transactions commit or roll back). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    this.counters.StopTime = Date.now();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== "POST") {
      reply(res, 405, "POST a JSON array of events");
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY) {
        this.counters.EventReadFail++;
        reply(res, 413, `request body over ${MAX_BODY} bytes`);
        return;
      }
      const text =
        chunks.length === 1
          ? (chunks[0] as Buffer).toString("utf8")
          : Buffer.concat(chunks, size).toString("utf8");
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        this.counters.EventReadFail++;
        reply(res, 400, `Bad request from client. ${(e as Error).message}`);
        return;
      }
      const events = asEvents(parsed);
      if (typeof events === "string") {
        this.counters.EventReadFail++;
        reply(res, 400, `Bad request from client. ${events}`);
        return;
      }
      this.counters.AppendBatchReceivedCount++;
      this.counters.EventReceivedCount += events.length;
      this.deliver(events).then(
        () => {
          this.counters.AppendBatchAcceptedCount++;
          this.counters.EventAcceptedCount += events.length;
          reply(res, 200, "");
        },
        (e: unknown) => {
          if (e instanceof ChannelException) {
            this.counters.ChannelWriteFail++;
            reply(
              res,
              503,
              `Error appending event to channel. Channel might be full. Consider increasing the channel capacity or make sure the sinks perform faster. ${e.message}`,
            );
          } else {
            this.counters.GenericProcessingFail++;
            this.log(`source ${this.name}: unexpected error: ${(e as Error)?.stack ?? e}`);
            reply(res, 500, `Unexpected error while appending events: ${(e as Error)?.message ?? e}`);
          }
        },
      );
    });
  }

  /** One transaction per channel, in order; any failure rolls back that channel and stops. */
  private async deliver(events: AgentEvent[]): Promise<void> {
    for (const ch of this.channels) {
      const tx = ch.begin();
      try {
        for (const e of events) tx.put(e);
        await tx.commit();
      } catch (e) {
        await tx.rollback();
        throw e;
      }
    }
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
