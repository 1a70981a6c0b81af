/**
 * One keep-alive HTTP/1.1 connection that sends one request at a time: the request's bytes (head
 * and body in one buffer, one write) go out, the answer is parsed by http-parser-js (autocannon's
 * parser) and settles with its status once read to its end. This is the whole of what the agent
 * producers need, at a fraction of a general client's cost per request: no request object, queue,
 * header validation or deferred write per request (undici spent 2–3× autocannon's CPU per request
 * here, more than the rest of the generator). Safety the general clients give is kept: bytes that
 * arrive while no request is outstanding (a desynchronised or smuggled answer) close the
 * connection; a connection idle near the server's keep-alive timeout is not reused; every request
 * has a deadline. Errors carry a `code` (ECONNREFUSED, CONNECT_TIMEOUT, RESPONSE_TIMEOUT,
 * ECONNRESET, SOCKET_CLOSED, HTTP_PARSE…) and `neverSent` when the connection never came up, so
 * nothing can have reached the server; after that, the server may have acted on the request.
 */

import { connect, type Socket } from "node:net";
import httpParser from "http-parser-js";

const { HTTPParser } = httpParser;

export class HttpConnectionError extends Error {
  /** Set when the connection never came up: no byte of the request can have reached the server. */
  neverSent = false;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A request's end: the answer's status, or the error that ended it. `drained` is true when the
 * socket had finished writing the request's bytes (nothing of it left queued), so the caller may
 * reuse their buffer.
 */
export type Answer = (status: number, err: HttpConnectionError | undefined, drained?: boolean) => void;

/** Keep-alive idle time assumed when the server states none (node:http's default is 5 s). */
const DEFAULT_KEEP_ALIVE_MS = 5000;
/** A connection idle this close to the server's keep-alive timeout is replaced, not reused (undici's margin). */
const KEEP_ALIVE_MARGIN_MS = 1000;

export class HttpConnection {
  private readonly socket: Socket;
  private readonly parser = new HTTPParser(HTTPParser.RESPONSE);
  private connected = false;
  private closed = false;
  private status = 0;
  private keepAlive = true;
  private keepAliveMs = DEFAULT_KEEP_ALIVE_MS;
  private idleSince = 0;
  /** The outstanding request's callback: the answer's status, or the error that ended it. */
  private answer: Answer | undefined;
  /** When the outstanding request (or the connect) must have settled, ms on performance.now's clock. */
  deadline = Number.POSITIVE_INFINITY;

  constructor(
    port: number,
    host: string,
    connectTimeoutMs: number,
    private readonly onClose: (c: HttpConnection) => void,
    /** Called when an answer completed and the connection may take the next request. */
    private readonly onIdle: (c: HttpConnection) => void,
  ) {
    this.socket = connect({ port, host, noDelay: true });
    this.deadline = performance.now() + connectTimeoutMs;
    this.socket.once("connect", () => {
      this.connected = true;
      this.deadline = this.answer ? this.requestDeadline : Number.POSITIVE_INFINITY;
    });
    this.socket.on("data", (chunk: Buffer) => {
      if (!this.answer) {
        this.destroy(
          new HttpConnectionError("HTTP_UNSOLICITED", "bytes arrived with no request outstanding"),
        );
        return;
      }
      const r = this.parser.execute(chunk);
      if (r instanceof Error) this.destroy(new HttpConnectionError("HTTP_PARSE", r.message));
    });
    this.socket.on("end", () => {
      // An answer whose body runs to the end of the connection completes here.
      if (this.answer) this.parser.finish();
      this.destroy(new HttpConnectionError("SOCKET_CLOSED", "other side closed"));
    });
    this.socket.on("error", (err: NodeJS.ErrnoException) => {
      this.destroy(new HttpConnectionError(err.code ?? "ESOCKET", err.message));
    });
    this.socket.on("close", () =>
      this.destroy(new HttpConnectionError("SOCKET_CLOSED", "other side closed")),
    );
    this.parser[HTTPParser.kOnHeadersComplete] = (info) => {
      if (!this.answer) {
        this.destroy(new HttpConnectionError("HTTP_UNSOLICITED", "an answer with no request outstanding"));
        return;
      }
      this.status = info.statusCode;
      this.keepAlive = info.shouldKeepAlive;
      const ka = keepAliveHint(info.headers);
      if (ka !== undefined) this.keepAliveMs = ka;
    };
    this.parser[HTTPParser.kOnBody] = () => {};
    this.parser[HTTPParser.kOnMessageComplete] = () => {
      // An interim (1xx) answer is followed by the real one.
      if (this.status < 200) return;
      const answer = this.answer;
      this.answer = undefined;
      this.deadline = Number.POSITIVE_INFINITY;
      this.idleSince = performance.now();
      const status = this.status;
      const drained = this.socket.writableLength === 0;
      if (!this.keepAlive) this.destroy(new HttpConnectionError("SOCKET_CLOSED", "closed after the answer"));
      else {
        // An idle connection does not keep the process alive (as undici's do); a request does.
        this.socket.unref();
        this.onIdle(this);
      }
      answer?.(status, undefined, drained);
    };
  }

  private requestDeadline = Number.POSITIVE_INFINITY;

  /** Whether a request may be sent on it now. */
  usable(now: number): boolean {
    return (
      !this.closed &&
      this.answer === undefined &&
      (this.idleSince === 0 || now - this.idleSince < this.keepAliveMs - KEEP_ALIVE_MARGIN_MS)
    );
  }

  /**
   * Sends one whole request (head and body); `answer` is called once, with the answer's status or
   * the error that ended the request (a callback, not a promise: one less hop per request).
   */
  request(bytes: Uint8Array, timeoutMs: number, now: number, answer: Answer): void {
    this.answer = answer;
    this.status = 0;
    this.requestDeadline = now + timeoutMs;
    if (this.connected) this.deadline = this.requestDeadline;
    this.socket.ref();
    this.socket.write(bytes);
  }

  /** Fails the outstanding request (if any) with `err` and closes the connection. */
  destroy(err: HttpConnectionError): void {
    if (this.closed) return;
    this.closed = true;
    this.deadline = Number.POSITIVE_INFINITY;
    const answer = this.answer;
    this.answer = undefined;
    this.socket.destroy();
    this.onClose(this);
    if (!this.connected) err.neverSent = true;
    answer?.(0, err);
  }

  /** Called by the owner's sweep: fails a request or connect that passed its deadline. */
  expire(now: number): void {
    if (now < this.deadline) return;
    if (!this.connected) this.destroy(new HttpConnectionError("CONNECT_TIMEOUT", "connect timed out"));
    else this.destroy(new HttpConnectionError("RESPONSE_TIMEOUT", "no complete answer before the timeout"));
  }
}

/** The `timeout=N` of a Keep-Alive header, in ms; undefined when there is none. */
function keepAliveHint(headers: string[]): number | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).length !== 10 || (headers[i] as string).toLowerCase() !== "keep-alive")
      continue;
    const m = /timeout=(\d+)/i.exec(headers[i + 1] as string);
    if (m) return Number(m[1]) * 1000;
  }
  return undefined;
}
