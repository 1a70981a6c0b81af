/**
 * The cluster's internal protocol: length-prefixed JSON frames over TCP, one request/response
 * pair per id, pipelined. Controllers use it among themselves (Raft votes and appends) and brokers
 * use it to reach the active controller (registration, heartbeats, metadata, AlterPartition).
 * It is deliberately not the Kafka protocol: these messages are ours, small and rare, and a JSON
 * frame is easy to read in a packet capture. Every link still runs over plain TCP, so a fault
 * proxy can delay, cut or blackhole it like any other.
 *
 *   frame    => int32 length, UTF-8 JSON
 *   request  => {"id": n, "method": "...", "params": {...}}
 *   response => {"id": n, "result": {...}} | {"id": n, "error": "..."}
 */

import { connect, createServer, type Server, type Socket } from "node:net";

export type RpcHandler = (method: string, params: Record<string, unknown>) => Promise<unknown> | unknown;

/** Largest frame either side accepts; metadata images of big clusters stay far below it. */
const MAX_FRAME = 64 * 1024 * 1024;

class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  push(data: Buffer): unknown[] {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    const out: unknown[] = [];
    while (this.buf.length >= 4) {
      const n = this.buf.readInt32BE(0);
      if (n < 0 || n > MAX_FRAME) throw new Error(`bad rpc frame length ${n}`);
      if (this.buf.length < 4 + n) break;
      out.push(JSON.parse(this.buf.subarray(4, 4 + n).toString("utf8")));
      this.buf = this.buf.subarray(4 + n);
    }
    return out;
  }
}

function frame(v: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(v), "utf8");
  const head = Buffer.alloc(4);
  head.writeInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

export interface RpcServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `handler` on host:port; each request is answered when its promise settles. */
export async function serveRpc(host: string, port: number, handler: RpcHandler): Promise<RpcServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (d) => {
      let msgs: unknown[];
      try {
        msgs = reader.push(d);
      } catch {
        socket.destroy();
        return;
      }
      for (const m of msgs) {
        const { id, method, params } = m as { id: number; method: string; params: Record<string, unknown> };
        Promise.resolve()
          .then(() => handler(method, params ?? {}))
          .then(
            (result) => !socket.destroyed && socket.write(frame({ id, result: result ?? null })),
            (e: unknown) =>
              !socket.destroyed && socket.write(frame({ id, error: (e as Error).message ?? String(e) })),
          );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export class RpcError extends Error {
  constructor(
    message: string,
    readonly kind: "timeout" | "connection" | "remote",
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A client for one peer: connects lazily, reconnects on the next call after any failure, and
 * fails each call that has no answer within its timeout (a blackholed link must not hang a
 * caller). A timed-out call drops the connection, so a late answer cannot be mistaken for another.
 */
export class RpcClient {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  private connect(timeoutMs: number): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = connect(this.port, this.host);
      s.setNoDelay(true);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new RpcError(`connect to ${this.host}:${this.port} timed out`, "connection"));
      }, timeoutMs);
      const reader = new FrameReader();
      s.once("connect", () => {
        clearTimeout(timer);
        this.socket = s;
        resolve(s);
      });
      s.on("data", (d) => {
        let msgs: unknown[];
        try {
          msgs = reader.push(d);
        } catch {
          s.destroy();
          return;
        }
        for (const m of msgs) {
          const { id, result, error } = m as { id: number; result?: unknown; error?: string };
          const p = this.pending.get(id);
          if (!p) continue;
          this.pending.delete(id);
          clearTimeout(p.timer);
          if (error !== undefined) p.reject(new RpcError(error, "remote"));
          else p.resolve(result);
        }
      });
      const fail = (e: Error) => {
        clearTimeout(timer);
        if (this.socket === s) this.socket = undefined;
        reject(new RpcError(`${this.host}:${this.port}: ${e.message}`, "connection"));
        this.failAll(`connection to ${this.host}:${this.port} lost`);
      };
      s.on("error", fail);
      s.on("close", () => fail(new Error("closed")));
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private failAll(reason: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new RpcError(reason, "connection"));
    }
    this.pending.clear();
  }

  async call<T = unknown>(method: string, params: Record<string, unknown>, timeoutMs = 2000): Promise<T> {
    if (this.closed) throw new RpcError("client closed", "connection");
    const s = await this.connect(timeoutMs);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        s.destroy();
        reject(
          new RpcError(`${method} to ${this.host}:${this.port} timed out after ${timeoutMs} ms`, "timeout"),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      s.write(frame({ id, method, params }));
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.failAll("client closed");
  }
}
