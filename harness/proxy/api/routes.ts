/**
 * The route table (Toxiproxy's gorilla/mux setup) and matching: a path that matches no route is a
 * 404 `404 page not found`, a known path with another method is an empty 405.
 */
import * as h from "./handlers.ts";

interface Route {
  /** Path segments; `{name}` captures one segment. */
  segments: string[];
  methods: Record<string, h.Handler>;
}

function route(path: string, methods: Record<string, h.Handler>): Route {
  return { segments: path.split("/").slice(1), methods };
}

export const routes: readonly Route[] = [
  route("/reset", { POST: h.reset }),
  route("/proxies", { GET: h.proxyIndex, POST: h.proxyCreate }),
  route("/populate", { POST: h.populate }),
  route("/proxies/{proxy}", {
    GET: h.proxyShow,
    POST: h.proxyUpdate,
    PATCH: h.proxyUpdate,
    DELETE: h.proxyDelete,
  }),
  route("/proxies/{proxy}/toxics", { GET: h.toxicIndex, POST: h.toxicCreate }),
  route("/proxies/{proxy}/toxics/{toxic}", {
    GET: h.toxicShow,
    POST: h.toxicUpdate,
    PATCH: h.toxicUpdate,
    DELETE: h.toxicDelete,
  }),
  route("/version", { GET: h.version }),
];

export type Match =
  | { kind: "found"; handler: h.Handler; params: Record<string, string>; mutates: boolean }
  | { kind: "not-found" }
  | { kind: "method-not-allowed" };

export function match(method: string, pathname: string): Match {
  const parts = pathname.split("/").slice(1);
  let pathMatched = false;
  for (const r of routes) {
    if (r.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (const [i, seg] of r.segments.entries()) {
      const part = parts[i] ?? "";
      if (seg.startsWith("{")) {
        if (part === "") {
          ok = false;
          break;
        }
        try {
          params[seg.slice(1, -1)] = decodeURIComponent(part);
        } catch {
          params[seg.slice(1, -1)] = part;
        }
      } else if (seg !== part) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    pathMatched = true;
    const handler = r.methods[method];
    if (handler !== undefined) return { kind: "found", handler, params, mutates: method !== "GET" };
  }
  return pathMatched ? { kind: "method-not-allowed" } : { kind: "not-found" };
}
