/**
 * A minimal Kafka protocol client over one socket, built on the broker's own codec: pipelined
 * requests, responses matched by correlation id, acks=0 produce without a response. Used by
 * tests, the fuzzer and the benchmark's raw producer (which must not pay kafkajs' costs).
 */

import { connect, type Socket } from "node:net";
import { FrameAssembler, FrameSplitter } from "../protocol/framing.ts";
import { decodeResponse, encodeRequest } from "../protocol/header.ts";

interface Pending {
  apiKey: number;
  apiVersion: number;
  resolve: (body: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

export class RawClient {
  readonly socket: Socket;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelation = 1;
  private readonly splitter = new FrameSplitter(1 << 30);
  private closedError: Error | undefined;

  private constructor(socket: Socket, assembler?: FrameAssembler) {
    this.socket = socket;
    socket.setNoDelay(true);
    if (assembler) {
      // Reads land in one reused buffer (see connect's `reuseReadBuffer`); frames are copied out.
      this.onBytes = (d) => this.onFrames(assembler.push(d));
    } else socket.on("data", (d) => this.onFrames(this.splitter.push(d)));
    const fail = (e: Error) => {
      this.closedError = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed")));
  }

  /** Bytes read into the reused buffer (reuseReadBuffer mode only). */
  private onBytes: (d: Buffer) => void = () => {};

  private onFrames(frames: Buffer[]): void {
    for (const frame of frames) {
      const correlationId = frame.readInt32BE(0);
      const p = this.pending.get(correlationId);
      if (!p) continue;
      this.pending.delete(correlationId);
      try {
        p.resolve(decodeResponse(p.apiKey, p.apiVersion, frame).body);
      } catch (e) {
        p.reject(e as Error);
      }
    }
  }

  /**
   * Connects. With `reuseReadBuffer` (a follower's replication connection, which receives large
   * fetch responses) the socket reads into one reused buffer and each response is copied once into
   * a buffer of its own size: no 64 KiB allocation per read and no concatenation, which is most of
   * the external memory a follower churns (and the garbage collections it triggers). The socket
   * then emits no 'data' events.
   */
  static connect(
    port: number,
    host = "127.0.0.1",
    opts: { reuseReadBuffer?: boolean } = {},
  ): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      let client: RawClient | undefined;
      const assembler = opts.reuseReadBuffer ? new FrameAssembler(1 << 30) : undefined;
      const s = connect(
        {
          port,
          host,
          ...(assembler
            ? {
                onread: {
                  buffer: Buffer.allocUnsafe(256 * 1024),
                  callback: (n: number, buf: Uint8Array) => {
                    try {
                      client?.onBytes(Buffer.from(buf.buffer, buf.byteOffset, n));
                    } catch (e) {
                      s.destroy(e as Error);
                    }
                    return true;
                  },
                },
              }
            : {}),
        },
        () => {
          s.off("error", reject);
          client = new RawClient(s, assembler);
          resolve(client);
        },
      );
      s.once("error", reject);
    });
  }

  /** True once the broker closed (or reset) the connection. */
  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Sends a request; resolves with the decoded response body. */
  request(
    apiKey: number,
    apiVersion: number,
    body: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const correlationId = this.nextCorrelation++;
    const frame = encodeRequest({ apiKey, apiVersion, correlationId, clientId: "raw" }, body);
    return this.requestFrame(frame, apiKey, apiVersion, correlationId);
  }

  /** Sends a request that gets no response (Produce with acks=0). */
  send(apiKey: number, apiVersion: number, body: Record<string, unknown>): void {
    const frame = encodeRequest(
      { apiKey, apiVersion, correlationId: this.nextCorrelation++, clientId: "raw" },
      body,
    );
    this.socket.write(frame);
  }

  /** Sends pre-encoded request bytes whose correlation id is `correlationId`. */
  requestFrame(
    frame: Buffer,
    apiKey: number,
    apiVersion: number,
    correlationId: number,
  ): Promise<Record<string, unknown>> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.set(correlationId, { apiKey, apiVersion, resolve, reject });
      this.socket.write(frame);
    });
  }

  /** Sends raw bytes (fuzzing, malformed frames). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Allocates a correlation id for a pre-encoded frame. */
  takeCorrelationId(): number {
    return this.nextCorrelation++;
  }

  close(): void {
    this.socket.destroy();
  }
}
