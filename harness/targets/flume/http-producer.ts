/**
 * Producers for the agent engine: batches POSTed to the entry agent's HTTP source as Flume JSON
 * events, over keep-alive connections (http-connection.ts), at most one request on each. The
 * answer decides the history op: 200 = ok; 503 (channel full) and other 4xx, or a connection that
 * never came up = fail, because nothing was committed; a timeout or a connection that broke
 * mid-request = info, because the agent may have committed before the answer was lost. Each
 * request's head and body are written into one buffer and leave in one write; a producer's
 * templated buffer is reused once its answer came and the socket had written it all (only the
 * events' heads are rewritten).
 */

import { MAX_HEAD, writePayload, writePayloadHead } from "../../generator/payload-writer.ts";
import type { PlannedMessage } from "../../generator/schedule.ts";
import type { PreparedSend, SendOutcome } from "../target.ts";
import { type Answer, HttpConnection, HttpConnectionError } from "./http-connection.ts";

/** Errors raised before any byte of the request could have reached the server. */
const neverSent = new Set([
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "CONNECT_TIMEOUT",
  "ENOTFOUND",
  "EADDRNOTAVAIL",
]);

const EVENT_OPEN = Buffer.from('{"headers":', "latin1");
const BODY_OPEN = Buffer.from(',"body":"', "latin1");
const CONTENT_LENGTH = Buffer.from("content-length: ", "latin1");
/** Room before the body for the head: its fixed part, the content length's digits, CRLF CRLF. */
const LENGTH_ROOM = CONTENT_LENGTH.length + 16 + 4;

/** `[` then `slots` unkeyed events whose bodies are `size` x's, comma-separated (no closing `]`). */
function bodyTemplate(size: number, slots: number): Buffer {
  const event = `{"headers":{},"body":"${"x".repeat(size)}"}`;
  return Buffer.from(`[${Array(slots).fill(event).join(",")}`, "latin1");
}

/** Copies a short constant in place (a byte loop beats a native copy call at this length). */
function put(out: Buffer, at: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) out[at + i] = bytes[i] as number;
  return at + bytes.length;
}

export function classifyError(err: unknown): SendOutcome {
  const e = err as { code?: string; cause?: { code?: string }; message?: string; neverSent?: boolean };
  const code = e.code ?? e.cause?.code ?? "";
  const error = code || e.message || String(err);
  if (e.neverSent === true || neverSent.has(code) || neverSent.has(e.cause?.code ?? ""))
    return { type: "fail", error };
  return { type: "info", error };
}

export class HttpProducer {
  /** The request line and fixed headers, up to the content length. */
  private readonly head: Buffer;
  private readonly port: number;
  private readonly host: string;
  private readonly all = new Set<HttpConnection>();
  /** Connections with nothing outstanding, most recently used last. */
  private readonly idle: HttpConnection[] = [];
  /** Requests waiting for a connection when all `connections` are busy. */
  private readonly waiting: Array<{ bytes: Buffer; answer: Answer }> = [];
  private readonly sweep: NodeJS.Timeout;
  private closed = false;

  constructor(
    url: string,
    private readonly connections: number,
    private readonly timeoutMs: number,
    private readonly messageSize: number,
  ) {
    const u = new URL(url);
    this.port = Number(u.port || 80);
    this.host = u.hostname.replace(/^\[(.*)\]$/, "$1");
    this.head = Buffer.from(
      `POST / HTTP/1.1\r\nhost: ${u.host}\r\nconnection: keep-alive\r\ncontent-type: application/json; charset=UTF-8\r\n`,
      "latin1",
    );
    // Deadlines are checked by one sweep rather than a timer per request.
    this.sweep = setInterval(
      () => {
        const now = performance.now();
        for (const c of this.all) c.expire(now);
      },
      Math.max(10, Math.min(100, timeoutMs / 4)),
    );
    this.sweep.unref();
  }

  /**
   * The request body for a batch: the bytes of a JSON array of {headers, body}, written straight
   * into one buffer (no string per message, no encoding pass). A payload is digits, dots, hex and
   * padding, so it needs no escaping; a key (from a replayed trace it may be anything) goes
   * through JSON.stringify, its bytes cached per key.
   */
  body(producer: number, batch: readonly PlannedMessage[]): Buffer {
    const r = this.request(producer, batch);
    return r.subarray(r.length - this.bodyLength);
  }

  /** The body length of the last request built (for `body`). */
  private bodyLength = 0;

  /** The whole request for a batch: head and body in one buffer. */
  private request(producer: number, batch: readonly PlannedMessage[]): Buffer {
    return this.fromTemplate(producer, batch)?.bytes ?? this.written(producer, batch);
  }

  /** Per producer, templated requests whose answer came: reused for its next batch of the same length. */
  private readonly spares: Spare[][] = [];

  /**
   * A templated request for the batch, in one of the producer's spare buffers of its length when
   * there is one (its head, content length and JSON frame already right: only each event's head
   * is written), else in a new one. Undefined when the batch does not fit the template.
   */
  private templated(producer: number, batch: readonly PlannedMessage[]): Spare | undefined {
    const k = batch.length;
    const spares = this.spares[producer] ?? [];
    let at = spares.length - 1;
    while (at >= 0 && (spares[at] as Spare).ends.length !== k) at--;
    if (at < 0) return this.fromTemplate(producer, batch);
    for (let i = 0; i < k; i++) {
      const m = batch[i] as PlannedMessage;
      if (m.key !== undefined || m.size !== undefined) return undefined;
    }
    const last = spares[at] as Spare;
    spares[at] = spares[spares.length - 1] as Spare;
    spares.pop();
    const size = this.messageSize;
    const slot = EVENT_OPEN.length + 2 + BODY_OPEN.length + size + 2;
    const { bytes, ends } = last;
    let o = bytes.length - (2 + k * slot + (k - 1)) + 1 + EVENT_OPEN.length + 2 + BODY_OPEN.length;
    for (let i = 0; i < k; i++) {
      const m = batch[i] as PlannedMessage;
      const end = writePayloadHead(bytes, o, producer, m.seq, m.intendedUs, size);
      if (end > o + size) return undefined; // the buffer is spoilt: dropped
      // A shorter head than the buffer's last one leaves its tail behind: pad it back with x.
      for (let j = end; j < (ends[i] as number); j++) bytes[j] = 0x78;
      ends[i] = end;
      o += slot + 1;
    }
    return last;
  }

  /** Keeps a sent request's buffer for the producer's next batch (a few at most). */
  private keep(producer: number, spare: Spare): void {
    const spares = this.spares[producer];
    if (spares === undefined) this.spares[producer] = [spare];
    else if (spares.length < 4) spares.push(spare);
  }

  /**
   * The common case, unkeyed messages of the workload's size whose heads fit in it: every event
   * then has the same length, so the body's layout is fixed. A template of it (the JSON around
   * each payload, and each payload's `x` padding) is copied in one go and only the heads — identity
   * and checksum, about 30 bytes each — are written over it. Undefined when the batch does not
   * fit that shape (the caller writes it out in full).
   */
  private fromTemplate(producer: number, batch: readonly PlannedMessage[]): Spare | undefined {
    const size = this.messageSize;
    const k = batch.length;
    if (k === 0) return undefined;
    const slot = EVENT_OPEN.length + 2 + BODY_OPEN.length + size + 2;
    const bodyLen = 2 + k * slot + (k - 1);
    if (this.template.length < bodyLen) this.template = bodyTemplate(size, Math.max(k, 64));
    const room = this.head.length + LENGTH_ROOM;
    const out = Buffer.allocUnsafe(room + bodyLen);
    this.template.copy(out, room, 0, bodyLen - 1);
    let o = room + 1 + EVENT_OPEN.length + 2 + BODY_OPEN.length;
    const ends = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      const m = batch[i] as PlannedMessage;
      if (m.key !== undefined || m.size !== undefined) return undefined;
      const end = writePayloadHead(out, o, producer, m.seq, m.intendedUs, size);
      if (end > o + size) return undefined;
      ends[i] = end;
      o += slot + 1;
    }
    out[room + bodyLen - 1] = 0x5d; // ]
    const bytes = this.withHead(out, room, room + bodyLen);
    // Offsets relative to the request's own bytes, which start where the head does.
    const shift = bytes.byteOffset - out.byteOffset;
    for (let i = 0; i < k; i++) ends[i] = (ends[i] as number) - shift;
    return { bytes, ends };
  }

  private template: Buffer = Buffer.alloc(0);

  /** Writes the head in front of the body at [room, end), right-aligned; returns head and body. */
  private withHead(out: Buffer, room: number, end: number): Buffer {
    this.bodyLength = end - room;
    // content-length: N CRLF CRLF, then the fixed head, right-aligned against the body.
    let h = room;
    out[--h] = 0x0a;
    out[--h] = 0x0d;
    out[--h] = 0x0a;
    out[--h] = 0x0d;
    for (let n = this.bodyLength; ; ) {
      const q = Math.floor(n / 10);
      out[--h] = 48 + n - q * 10;
      n = q;
      if (n === 0) break;
    }
    h -= CONTENT_LENGTH.length;
    put(out, h, CONTENT_LENGTH);
    h -= this.head.length;
    put(out, h, this.head);
    return out.subarray(h, end);
  }

  /** Any batch (keys, per-message sizes, heads longer than the size), written out byte by byte. */
  private written(producer: number, batch: readonly PlannedMessage[]): Buffer {
    // An upper bound first (a payload is its size, or its head and checksum when those are
    // longer), then one pass writing the bytes: cheaper than measuring every message twice. The
    // body goes after room for the head, which is written in front of it once its length is known.
    const room = this.head.length + LENGTH_ROOM;
    let max = room + 2 + batch.length * (EVENT_OPEN.length + BODY_OPEN.length + 3);
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i] as PlannedMessage;
      max +=
        Math.max(m.size ?? this.messageSize, MAX_HEAD) +
        (m.key === undefined ? 2 : this.keyHeaders(m.key).length);
    }
    const out = Buffer.allocUnsafe(max);
    let o = room;
    out[o++] = 0x5b; // [
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i] as PlannedMessage;
      if (i > 0) out[o++] = 0x2c; // ,
      o = put(out, o, EVENT_OPEN); // {"headers":
      if (m.key === undefined) {
        out[o++] = 0x7b; // {}
        out[o++] = 0x7d;
      } else o = put(out, o, this.keyHeaders(m.key));
      o = put(out, o, BODY_OPEN); // ,"body":"
      o = writePayload(out, o, producer, m.seq, m.intendedUs, m.size ?? this.messageSize);
      out[o++] = 0x22; // "}
      out[o++] = 0x7d;
    }
    out[o++] = 0x5d; // ]
    return this.withHead(out, room, o);
  }

  /** `{"key":<key as JSON>}` in UTF-8, cached: a run's keys are a few thousand names at most. */
  private keyHeaders(key: string): Buffer {
    let b = this.keyCache.get(key);
    if (b === undefined) {
      b = Buffer.from(`{"key":${JSON.stringify(key)}}`, "utf8");
      if (this.keyCache.size < 65_536) this.keyCache.set(key, b);
    }
    return b;
  }

  private readonly keyCache = new Map<string, Buffer>();

  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    const prepared = this.prepare(producer, batch);
    return new Promise((resolve) => prepared.send(resolve));
  }

  /** Builds the batch's request now; `send` writes it (the load loop stages the next one so). */
  prepare(producer: number, batch: readonly PlannedMessage[]): PreparedSend {
    let bytes: Buffer;
    let spare: Spare | undefined;
    try {
      spare = this.templated(producer, batch);
      bytes = spare?.bytes ?? this.written(producer, batch);
    } catch (err) {
      const outcome: SendOutcome = { type: "fail", error: String(err) };
      return { send: (done) => queueMicrotask(() => done(outcome)) };
    }
    return new PreparedRequest(this, producer, bytes, spare);
  }

  /** A prepared request's end: its outcome, and its buffer kept when the socket is done with it. */
  settle(
    req: PreparedRequest,
    status: number,
    err: HttpConnectionError | undefined,
    drained: boolean | undefined,
    done: (outcome: SendOutcome) => void,
  ): void {
    // Answered and written out: the socket holds no reference to the bytes any more.
    if (req.spare && drained && !err) this.keep(req.producer, req.spare);
    done(err ? classifyError(err) : outcomeOf(status));
  }

  /** Sends one request on a free connection (a new one when none is idle); `answer` gets the status. */
  post(bytes: Buffer, answer: Answer): void {
    if (this.closed) {
      // Never before the caller's send returns (PreparedSend's promise).
      queueMicrotask(() => answer(0, new HttpConnectionError("CLOSED", "producer closed")));
      return;
    }
    const now = performance.now();
    for (let c = this.idle.pop(); c !== undefined; c = this.idle.pop()) {
      if (c.usable(now)) {
        c.request(bytes, this.timeoutMs, now, answer);
        return;
      }
      c.destroy(new HttpConnectionError("KEEP_ALIVE_EXPIRED", "idle past the keep-alive timeout"));
    }
    if (this.all.size >= this.connections) {
      this.waiting.push({ bytes, answer });
      return;
    }
    const c = new HttpConnection(
      this.port,
      this.host,
      Math.min(this.timeoutMs, 1000),
      (gone) => this.onClose(gone),
      (free) => this.onIdle(free),
    );
    this.all.add(c);
    c.request(bytes, this.timeoutMs, now, answer);
  }

  private onIdle(c: HttpConnection): void {
    const next = this.waiting.shift();
    if (next) c.request(next.bytes, this.timeoutMs, performance.now(), next.answer);
    else this.idle.push(c);
  }

  private onClose(c: HttpConnection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    const next = this.waiting.shift();
    if (next) this.post(next.bytes, next.answer);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    for (const w of this.waiting.splice(0)) w.answer(0, new HttpConnectionError("CLOSED", "producer closed"));
    for (const c of [...this.all]) c.destroy(new HttpConnectionError("CLOSED", "producer closed"));
  }
}

/**
 * A request built by `prepare`, sent once. A class rather than closures: the hot path then makes no
 * function per request.
 */
class PreparedRequest implements PreparedSend {
  constructor(
    private readonly owner: HttpProducer,
    readonly producer: number,
    private readonly bytes: Buffer,
    readonly spare: Spare | undefined,
  ) {}

  send(done: (outcome: SendOutcome) => void): void {
    this.owner.post(this.bytes, (status, err, drained) =>
      this.owner.settle(this, status, err, drained, done),
    );
  }
}

const OK: SendOutcome = Object.freeze({ type: "ok" });

/** The history outcome of an answer's status. */
function outcomeOf(statusCode: number): SendOutcome {
  if (statusCode >= 200 && statusCode < 300) return OK;
  // Flume answers 503 when the channel is full and 400 for a bad batch: nothing committed.
  // A 500 can follow a partial commit to several channels, so its outcome is unknown.
  if (statusCode >= 400 && statusCode < 500) return { type: "fail", error: `HTTP ${statusCode}` };
  if (statusCode === 503) return { type: "fail", error: "HTTP 503" };
  return { type: "info", error: `HTTP ${statusCode}` };
}

/** A templated request: its bytes (head and body), and where each event's payload head ends in them. */
interface Spare {
  bytes: Buffer;
  ends: Int32Array;
}
