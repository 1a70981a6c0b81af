/**
 * The harness's typed handle on a Toxiproxy API, built on `toxiproxy-node-client` so the same code
 * drives this repo's proxy or a real toxiproxy-server (`TOXIPROXY_URL`).
 *
 * Gaps of toxiproxy-node-client 4.1.0 and how this wrapper covers them:
 * - No "list toxics" call, and its Proxy objects drop the `toxics` array: `listToxics` uses fetch.
 * - Errors are `Request failed with status code N`, without the server's `{"error":…}` body.
 *   Toxiproxy validates before it changes anything, so a 4xx means nothing happened and asking
 *   again is safe: on a 4xx the wrapper repeats the request with fetch to read the reason. 5xx
 *   (e.g. a bind failure) are not repeated, since a retry could succeed and change state.
 * - Its typings list no `noop` toxic and require every toxic field; the wrapper fills Toxiproxy's
 *   defaults (stream downstream, toxicity 1, name `<type>_<stream>`).
 */
import { Toxiproxy, ToxiproxyError } from "toxiproxy-node-client";
import { FaultbenchError } from "../errors.ts";

export type ToxicType =
  | "latency"
  | "bandwidth"
  | "slow_close"
  | "timeout"
  | "reset_peer"
  | "slicer"
  | "limit_data"
  | "noop";

export type Stream = "upstream" | "downstream";

export interface ToxicInput {
  type: ToxicType;
  name?: string;
  stream?: Stream;
  toxicity?: number;
  attributes?: Record<string, number>;
}

export interface ToxicInfo {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ProxyInfo {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

export const defaultProxyUrl = "http://127.0.0.1:8474";

/**
 * toxiproxy-node-client sets no timeout on its requests; a proxy server that stopped answering
 * would hang a run's fault steps and its drain, so every call gives up after this long (by default).
 */
const CALL_TIMEOUT_MS = 10_000;

function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class ProxyClient {
  readonly url: string;
  private readonly api: Toxiproxy;

  private readonly timeoutMs: number;

  constructor(url: string = process.env.TOXIPROXY_URL ?? defaultProxyUrl, opts: { timeoutMs?: number } = {}) {
    this.url = url.replace(/\/+$/, "");
    this.api = new Toxiproxy(this.url);
    this.timeoutMs = opts.timeoutMs ?? CALL_TIMEOUT_MS;
  }

  async createProxy(name: string, listen: string, upstream: string): Promise<ProxyInfo> {
    const body = { name, listen, upstream };
    const p = await this.call(`create proxy ${name}`, () => this.api.createProxy(body), {
      method: "POST",
      path: "/proxies",
      body,
    });
    return info(p);
  }

  async setEnabled(name: string, enabled: boolean): Promise<ProxyInfo> {
    const path = `/proxies/${encodeURIComponent(name)}`;
    const current = await this.call(`get proxy ${name}`, () => this.api.get(name), { method: "GET", path });
    const body = { enabled, listen: current.listen, upstream: current.upstream };
    const updated = await this.call(
      `${enabled ? "enable" : "disable"} proxy ${name}`,
      () => current.update(body),
      {
        method: "POST",
        path,
        body,
      },
    );
    return info(updated);
  }

  async addToxic(proxy: string, toxic: ToxicInput): Promise<ToxicInfo> {
    const stream = toxic.stream ?? "downstream";
    const body = {
      name: toxic.name ?? `${toxic.type}_${stream}`,
      type: toxic.type,
      stream,
      toxicity: toxic.toxicity ?? 1,
      attributes: toxic.attributes ?? {},
    };
    const path = `/proxies/${encodeURIComponent(proxy)}`;
    const p = await this.call(`get proxy ${proxy}`, () => this.api.get(proxy), { method: "GET", path });
    // The library's Type union lacks "noop"; the server accepts it, so widen the type here.
    const t = await this.call(
      `add toxic ${body.name} to ${proxy}`,
      () => p.addToxic(body as Parameters<typeof p.addToxic>[0]),
      { method: "POST", path: `${path}/toxics`, body },
    );
    return {
      name: t.name,
      type: t.type,
      stream: t.stream,
      toxicity: t.toxicity,
      attributes: { ...(t.attributes as Record<string, number>) },
    };
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    const path = `/proxies/${encodeURIComponent(proxy)}`;
    const p = await this.call(`get proxy ${proxy}`, () => this.api.get(proxy), { method: "GET", path });
    const toxicPath = `${path}/toxics/${encodeURIComponent(name)}`;
    const t = await this.call(`get toxic ${name}`, () => p.getToxic(name), {
      method: "GET",
      path: toxicPath,
    });
    await this.call(`remove toxic ${name} from ${proxy}`, () => t.remove(), {
      method: "DELETE",
      path: toxicPath,
    });
  }

  async deleteProxy(name: string): Promise<void> {
    const path = `/proxies/${encodeURIComponent(name)}`;
    const p = await this.call(`get proxy ${name}`, () => this.api.get(name), { method: "GET", path });
    await this.call(`delete proxy ${name}`, () => p.remove(), { method: "DELETE", path });
  }

  /** Not in toxiproxy-node-client: GET /proxies/{p}/toxics with fetch. */
  async listToxics(proxy: string): Promise<ToxicInfo[]> {
    const path = `/proxies/${encodeURIComponent(proxy)}/toxics`;
    const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (!res.ok) throw this.failure(`list toxics of ${proxy}`, res.status, reasonOf(text));
    return JSON.parse(text) as ToxicInfo[];
  }

  async reset(): Promise<void> {
    await this.call("reset", () => this.api.reset(), { method: "POST", path: "/reset" });
  }

  /** Runs a library call; on failure throws FB_PROXY with the status and, for 4xx, the server's reason. */
  private async call<T>(
    what: string,
    fn: () => Promise<T>,
    replay: { method: string; path: string; body?: unknown },
  ): Promise<T> {
    try {
      return await withTimeout(
        fn(),
        this.timeoutMs,
        () =>
          new FaultbenchError("FB_PROXY", `${what}: no answer from ${this.url} within ${this.timeoutMs} ms`, {
            context: { url: this.url },
          }),
      );
    } catch (e) {
      if (!(e instanceof ToxiproxyError)) throw e;
      const status = /status code (\d{3})/.exec(e.message)?.[1];
      if (status === undefined) {
        throw new FaultbenchError("FB_PROXY", `${what}: cannot reach ${this.url}: ${e.message}`, {
          cause: e,
          context: { url: this.url },
        });
      }
      let reason: string | undefined;
      if (status.startsWith("4")) reason = await this.askReason(replay);
      throw this.failure(what, Number(status), reason, e);
    }
  }

  private async askReason(req: {
    method: string;
    path: string;
    body?: unknown;
  }): Promise<string | undefined> {
    try {
      const res = await fetch(`${this.url}${req.path}`, {
        method: req.method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(req.body === undefined
          ? {}
          : { body: JSON.stringify(req.body), headers: { "Content-Type": "application/json" } }),
      });
      return res.ok ? undefined : reasonOf(await res.text());
    } catch {
      return undefined;
    }
  }

  private failure(
    what: string,
    status: number,
    reason: string | undefined,
    cause?: unknown,
  ): FaultbenchError {
    const msg = `${what}: HTTP ${status}${reason === undefined ? "" : `: ${reason}`}`;
    return new FaultbenchError("FB_PROXY", msg, { cause, context: { url: this.url, status, reason } });
  }
}

/** The `error` field of a Toxiproxy error body, or the trimmed text. */
function reasonOf(text: string): string {
  try {
    const v = JSON.parse(text) as { error?: unknown };
    if (typeof v.error === "string") return v.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim();
}

function info(p: { name: string; listen: string; upstream: string; enabled: boolean }): ProxyInfo {
  return { name: p.name, listen: p.listen, upstream: p.upstream, enabled: p.enabled };
}
