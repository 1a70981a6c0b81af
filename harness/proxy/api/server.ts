/**
 * The HTTP control server: Toxiproxy's middleware (browser user agents refused with 403, a request
 * id on every response, a 25 s handler timeout answering 503) around the route table. Calls that
 * change state run one at a time, like Toxiproxy's collection locks, so a toxic added while a proxy
 * restarts sees a consistent proxy.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ProxyCollection } from "../proxy-collection.ts";
import { toApiError } from "./api-error.ts";
import { errorReply, plainError, type Reply, send } from "./reply.ts";
import { match } from "./routes.ts";

const handlerTimeoutMs = 25_000;
const maxBodyBytes = 4 * 1024 * 1024;
const timeoutBody = "<html><head><title>Timeout</title></head><body><h1>Timeout</h1></body></html>";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (d: Buffer) => {
      size += d.length;
      if (size > maxBodyBytes) {
        reject(new Error("http: request body too large"));
        req.destroy();
        return;
      }
      parts.push(d);
    });
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

export function createApiServer(proxies: ProxyCollection): Server {
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  async function handle(req: IncomingMessage): Promise<Reply> {
    if ((req.headers["user-agent"] ?? "").startsWith("Mozilla/"))
      return plainError(403, "User agent not allowed");
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    const m = match(req.method ?? "GET", pathname);
    if (m.kind === "not-found") return plainError(404, "404 page not found");
    if (m.kind === "method-not-allowed") return { status: 405, body: "" };
    const body = await readBody(req);
    const run = () => m.handler(proxies, { params: m.params, body }).catch((e) => errorReply(toApiError(e)));
    return m.mutates ? serialised(run) : run();
  }

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader("X-Toxiproxy-Request-Id", randomBytes(10).toString("hex"));
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      send(res, { status: 503, body: timeoutBody, contentType: "text/html; charset=utf-8" });
    }, handlerTimeoutMs);
    handle(req)
      .catch((e: unknown) => errorReply(toApiError(e)))
      .then((reply) => {
        clearTimeout(timer);
        if (!answered) send(res, reply);
      });
  });
}
