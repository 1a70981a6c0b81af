/**
 * Socket fixtures for proxy tests: an echo server, a server that sends scripted bytes, an embedded
 * proxy with one proxy pointed at a target, and small promise helpers for reading and for
 * observing how a socket ended (FIN, RST, or still open).
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { serveProxy } from "../../../../harness/proxy/main.ts";

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** A TCP server that tracks its sockets so close() can destroy them. */
export async function tcpServer(
  onSocket: (s: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: false }, (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
    onSocket(s);
  });
  const port = await listen(server);
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function echoServer(): Promise<{ port: number; close(): Promise<void> }> {
  return tcpServer((s) => s.pipe(s));
}

export interface ProxyFixture {
  api: string;
  /** Port of the proxy named `name`, pointed at the target. */
  port: number;
  name: string;
  post(path: string, body?: unknown, method?: string): Promise<Response>;
  close(): Promise<void>;
}

/** Starts an embedded API server with one proxy `p` to 127.0.0.1:targetPort. */
export async function proxyTo(targetPort: number, random?: () => number): Promise<ProxyFixture> {
  const running = await serveProxy({ port: 0, ...(random === undefined ? {} : { random }) });
  const api = `http://127.0.0.1:${running.port}`;
  const post = (path: string, body?: unknown, method = "POST") =>
    fetch(`${api}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const res = await post("/proxies", {
    name: "p",
    listen: "127.0.0.1:0",
    upstream: `127.0.0.1:${targetPort}`,
  });
  if (res.status !== 201) throw new Error(`proxy create failed: ${res.status} ${await res.text()}`);
  const listenAddr = ((await res.json()) as { listen: string }).listen;
  return { api, port: Number(listenAddr.split(":").pop()), name: "p", post, close: () => running.close() };
}

/** Adds a toxic and fails loudly if the server refuses it. */
export async function addToxic(fx: ProxyFixture, toxic: Record<string, unknown>): Promise<void> {
  const res = await fx.post(`/proxies/${fx.name}/toxics`, toxic);
  if (res.status !== 200) throw new Error(`add toxic failed: ${res.status} ${await res.text()}`);
}

export async function connectTo(port: number): Promise<Socket> {
  const s = connect({ host: "127.0.0.1", port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    s.once("connect", resolve);
    s.once("error", reject);
  });
  return s;
}

/** Reads until `n` bytes arrived; rejects if the socket ends first. */
export function readBytes(s: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= n) {
        cleanup();
        resolve(Buffer.concat(parts));
      }
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`socket ended after ${got} of ${n} bytes`));
    };
    const cleanup = () => {
      s.off("data", onData);
      s.off("end", onEnd);
      s.off("close", onEnd);
    };
    s.on("data", onData);
    s.once("end", onEnd);
    s.once("close", onEnd);
  });
}

export type Ending = { kind: "end" | "reset" | "error" | "open"; at: number; bytes: number; error?: string };

/**
 * Watches a socket for `ms`: reports how it ended (FIN → "end", ECONNRESET → "reset"), when, and
 * how many bytes were read before; "open" if nothing happened in time.
 */
export function watchEnding(s: Socket, ms: number): Promise<Ending> {
  const start = performance.now();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (e: Ending) => {
      clearTimeout(timer);
      s.off("data", onData);
      resolve(e);
    };
    const onData = (d: Buffer) => {
      bytes += d.length;
    };
    s.on("data", onData);
    s.once("end", () => done({ kind: "end", at: performance.now() - start, bytes }));
    s.once("error", (err: NodeJS.ErrnoException) =>
      done({
        kind: err.code === "ECONNRESET" ? "reset" : "error",
        at: performance.now() - start,
        bytes,
        error: err.code ?? err.message,
      }),
    );
    const timer = setTimeout(() => done({ kind: "open", at: ms, bytes }), ms);
  });
}

/** Sends `msg` and times until the echo of all of it is back. */
export async function roundTrip(s: Socket, msg: Buffer): Promise<number> {
  const t0 = performance.now();
  const reply = readBytes(s, msg.length);
  s.write(msg);
  await reply;
  return performance.now() - t0;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
