/**
 * The consumer side of the agent engine: an HTTP server in the harness process that the last
 * agents' sinks post to. It reads each event's identity from its body, records deliveries as id
 * ranges, and answers 200, after a delay while a `slow` fault holds it.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { decodePayload } from "../../generator/payload.ts";
import type { DeliverySink } from "../target.ts";

export class Collector {
  private server: Server;
  delayMs = 0;
  port = 0;
  received = 0;

  constructor(
    readonly name: string,
    private readonly sink: DeliverySink,
    baseDelayMs: number,
  ) {
    this.delayMs = baseDelayMs;
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        const a = this.server.address();
        this.port = typeof a === "object" && a ? a.port : port;
        resolve(this.port);
      });
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let events: unknown;
      try {
        events = JSON.parse(text);
      } catch {
        res.writeHead(400).end("invalid JSON");
        return;
      }
      if (!Array.isArray(events)) {
        res.writeHead(400).end("expected a JSON array of events");
        return;
      }
      const respond = () => {
        // Recorded when the response is sent: that is when the sink learns it was delivered.
        this.record(events as unknown[]);
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      };
      if (this.delayMs > 0) setTimeout(respond, this.delayMs);
      else respond();
    });
  }

  private record(events: unknown[]): void {
    this.received += events.length;
    let producer = -1;
    let from = -1;
    let to = -1;
    let unparsed = 0;
    let sample = "";
    let corrupted = 0;
    let corruptSample = "";
    const flush = () => {
      if (producer >= 0) this.sink.delivered("collector", this.name, producer, from, to);
      producer = -1;
    };
    for (const e of events) {
      const body = (e as { body?: unknown } | null)?.body;
      const id = typeof body === "string" ? decodePayload(body) : undefined;
      if (!id) {
        unparsed++;
        if (!sample) sample = JSON.stringify(e).slice(0, 120);
        continue;
      }
      if (!id.intact) {
        corrupted++;
        if (!corruptSample) corruptSample = JSON.stringify(e).slice(0, 120);
        continue;
      }
      if (id.producer === producer && id.seq === to + 1) {
        to = id.seq;
        continue;
      }
      flush();
      producer = id.producer;
      from = id.seq;
      to = id.seq;
    }
    flush();
    if (unparsed > 0) this.sink.unparsed("collector", unparsed, sample);
    if (corrupted > 0) this.sink.unparsed("collector", corrupted, corruptSample, true);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
