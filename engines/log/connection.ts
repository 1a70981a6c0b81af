/**
 * One client connection. Frames are handled strictly one at a time, in arrival order, like
 * Kafka's muted channel: a parked request (long-poll fetch, join barrier) holds back the ones
 * behind it, so responses always leave in request order. Any protocol violation (bad frame size,
 * undecodable request, unknown API) closes this connection only. ApiVersions with an unsupported
 * version is answered in the v0 format with UNSUPPORTED_VERSION, as clients expect.
 */

import type { Socket } from "node:net";
import { dispatch } from "./broker.ts";
import type { BrokerContext, ConnectionInfo, HandlerResult } from "./broker-context.ts";
import { ErrorCode } from "./protocol/error-codes.ts";
import { FrameSplitter } from "./protocol/framing.ts";
import { decodeRequest, encodeResponse, type RequestHeader, UnsupportedApiError } from "./protocol/header.ts";
import { ApiKey, advertisedVersions } from "./protocol/registry.ts";

/** Stop reading from a client with this many undecoded frames queued (backpressure). */
const MAX_QUEUED_FRAMES = 256;

export class Connection {
  private readonly socket: Socket;
  private readonly ctx: BrokerContext;
  private readonly splitter: FrameSplitter;
  private readonly queue: Buffer[] = [];
  private busy = false;
  private closed = false;
  private readonly log: (msg: string) => void;
  private readonly info: ConnectionInfo;
  private corked = false;
  private readonly uncork = () => {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
    this.checkDrain();
  };

  constructor(socket: Socket, ctx: BrokerContext, log: (msg: string) => void) {
    this.socket = socket;
    this.ctx = ctx;
    this.log = log;
    this.splitter = new FrameSplitter(ctx.config.socketRequestMaxBytes);
    this.info = { clientHost: `/${socket.remoteAddress ?? ""}` };
    socket.setNoDelay(true);
    socket.on("data", (d) => this.onData(d));
    socket.on("error", () => this.close());
    socket.on("close", () => {
      this.closed = true;
    });
  }

  private onData(data: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(data);
    } catch (e) {
      this.fail(`bad frame: ${(e as Error).message}`);
      return;
    }
    for (const f of frames) this.queue.push(f);
    if (this.queue.length > MAX_QUEUED_FRAMES) this.socket.pause();
    this.pump();
  }

  /** Handles queued frames until one must wait (async handler or a full socket buffer). */
  private pump(): void {
    while (!this.busy && !this.closed && this.queue.length > 0) {
      const frame = this.queue.shift()!;
      let header: RequestHeader;
      let result: HandlerResult;
      try {
        const req = decodeRequest(frame);
        header = req.header;
        result = dispatch(this.ctx, req.body, header, this.info);
      } catch (e) {
        if (e instanceof UnsupportedApiError && e.header.apiKey === ApiKey.ApiVersions) {
          // v0 layout, so any client can read it and retry with a version it finds in the list.
          this.send(
            encodeResponse(ApiKey.ApiVersions, 0, e.header.correlationId, {
              errorCode: ErrorCode.UNSUPPORTED_VERSION,
              apiKeys: advertisedVersions(),
            }),
          );
          continue;
        }
        this.fail(`${(e as Error).name}: ${(e as Error).message}`);
        return;
      }
      if (result === null) continue;
      if (result instanceof Promise) {
        this.busy = true;
        const h = header;
        result.then(
          (body) => {
            this.busy = false;
            this.respond(h, body);
            this.pump();
          },
          (e: unknown) => {
            this.busy = false;
            this.fail(`handler failed: ${(e as Error).message}`);
          },
        );
        return;
      }
      this.respond(header, result);
    }
    if (this.queue.length <= MAX_QUEUED_FRAMES / 2 && this.socket.isPaused()) this.socket.resume();
  }

  private respond(header: RequestHeader, body: Record<string, unknown>): void {
    if (this.closed) return;
    let chunks: Buffer[];
    try {
      chunks = encodeResponse(header.apiKey, header.apiVersion, header.correlationId, body);
    } catch (e) {
      // A response this broker cannot encode is its own bug: lose this connection, not the broker.
      this.fail(`cannot encode ${header.apiKey} v${header.apiVersion} response: ${(e as Error).message}`);
      return;
    }
    this.send(chunks);
  }

  private send(chunks: Buffer[]): void {
    if (this.closed) return;
    // Every response written in this turn of the event loop (pipelined requests, or acks=all
    // answers released by one HW move) leaves in one writev when the turn's ticks are done.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    for (const c of chunks) this.socket.write(c);
    // A turn's worth of large responses is not held back: past the high-water mark, send now
    // (and stop reading requests until a slow reader drains them, as before).
    if (this.socket.writableNeedDrain) this.uncork();
  }

  /** After the turn's writes went out: a slow reader still holding them waits for 'drain'. */
  private checkDrain(): void {
    if (!this.closed && this.socket.writableNeedDrain && !this.busy) {
      // A slow reader: stop handling its requests until the kernel buffer drains.
      this.busy = true;
      this.socket.once("drain", () => {
        this.busy = false;
        this.pump();
      });
    }
  }

  private fail(reason: string): void {
    this.log(`closing connection from ${this.socket.remoteAddress}:${this.socket.remotePort}: ${reason}`);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    // Responses already written this turn go out before the socket closes, as they did when
    // every response was written at once.
    this.uncork();
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
  }
}
