/**
 * Flume's JSON monitoring (`-Dflume.monitoring.type=http`): `GET /metrics` returns one object per
 * component keyed `SOURCE.<name>`, `CHANNEL.<name>`, `SINK.<name>`, holding its counters plus
 * `Type`. Departure: Flume renders every value as a string; we emit numbers (times are epoch ms,
 * ChannelFillPercentage is 0..100), which every JSON consumer can read without parsing again.
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type MetricsSnapshot = Record<string, Record<string, number | string>>;

export class MetricsServer {
  private server: Server | undefined;

  constructor(private readonly snapshot: () => MetricsSnapshot) {}

  async start(port: number, bind = "127.0.0.1"): Promise<number> {
    const server = createServer((req, res) => {
      req.resume();
      if (req.method !== "GET" || (req.url !== "/metrics" && !req.url?.startsWith("/metrics?"))) {
        res.writeHead(404, { "content-type": "text/plain" }).end("GET /metrics");
        return;
      }
      const body = JSON.stringify(this.snapshot());
      res
        .writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
        .end(body);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, bind, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }
}
