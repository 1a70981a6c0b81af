/**
 * All proxies by name, with Toxiproxy's collection rules: create refuses a taken name, populate
 * validates every entry before touching anything and leaves an identical proxy (same listen and
 * upstream) running with its toxics, reset re-enables everything and strips all toxics.
 */
import {
  type ApiError,
  errBadRequestBody,
  errMissingField,
  errProxyAlreadyExists,
  errProxyNotFound,
  joined,
  toApiError,
} from "./api/api-error.ts";
import { asObject, jsonKind, optBool, optString } from "./api/decode.ts";
import { checkAddresses, type ProxyPolicy, TcpProxy } from "./proxy.ts";

export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean | undefined;
}

/** Decodes one proxy object (create or populate entry); `at` names the entry for error messages. */
export function decodeProxyInput(body: unknown): ProxyInput {
  const o = asObject(body, "toxiproxy.Proxy");
  return {
    name: optString(o, "name", "Proxy") ?? "",
    listen: optString(o, "listen", "Proxy") ?? "",
    upstream: optString(o, "upstream", "Proxy") ?? "",
    enabled: optBool(o, "enabled", "Proxy"),
  };
}

export class ProxyCollection {
  private readonly proxies = new Map<string, TcpProxy>();

  constructor(private readonly policy: ProxyPolicy) {}

  /** Sorted by name, as Go's JSON encoding of a map is. */
  all(): TcpProxy[] {
    return [...this.proxies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): TcpProxy {
    const p = this.proxies.get(name);
    if (p === undefined) throw errProxyNotFound();
    return p;
  }

  async create(input: ProxyInput): Promise<TcpProxy> {
    if (input.name.length < 1) throw joined(errMissingField(), "name");
    if (input.upstream.length < 1) throw joined(errMissingField(), "upstream");
    if (this.proxies.has(input.name)) throw errProxyAlreadyExists();
    checkAddresses(input.listen, input.upstream, this.policy);
    const proxy = new TcpProxy(input.name, input.listen, input.upstream, this.policy);
    if (input.enabled ?? true) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /** POST /populate. On a failure part way, returns the error with the proxies done so far. */
  async populate(body: unknown): Promise<{ proxies: TcpProxy[] | null; error?: ApiError }> {
    if (body !== null && jsonKind(body) !== "array") {
      return {
        proxies: null,
        error: joined(
          errBadRequestBody(),
          `json: cannot unmarshal ${jsonKind(body)} into Go value of type []struct`,
        ),
      };
    }
    let inputs: ProxyInput[];
    try {
      inputs = ((body ?? []) as unknown[]).map(decodeProxyInput);
    } catch (e) {
      return { proxies: null, error: toApiError(e) };
    }
    for (const [i, p] of inputs.entries()) {
      if (p.name.length < 1)
        return { proxies: null, error: joined(errMissingField(), `name at proxy ${i + 1}`) };
      if (p.upstream.length < 1) {
        return { proxies: null, error: joined(errMissingField(), `upstream at proxy ${i + 1}`) };
      }
      try {
        checkAddresses(p.listen, p.upstream, this.policy);
      } catch (e) {
        return { proxies: null, error: toApiError(e) };
      }
    }
    const done: TcpProxy[] = [];
    for (const p of inputs) {
      try {
        done.push(await this.addOrReplace(p));
      } catch (e) {
        return { proxies: done, error: toApiError(e) };
      }
    }
    return { proxies: done };
  }

  private async addOrReplace(input: ProxyInput): Promise<TcpProxy> {
    const existing = this.proxies.get(input.name);
    if (existing !== undefined) {
      // Go reports the fresh, unstarted object here; we report the proxy that is actually running.
      if (existing.listen === input.listen && existing.upstream === input.upstream) return existing;
      existing.stop();
    }
    const proxy = new TcpProxy(input.name, input.listen, input.upstream, this.policy);
    if (input.enabled ?? true) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /** POST or PATCH /proxies/{p}: absent fields keep their current values; `name` is ignored. */
  async update(name: string, body: unknown): Promise<TcpProxy> {
    const proxy = this.get(name);
    const o = asObject(body, "toxiproxy.Proxy");
    const listen = optString(o, "listen", "Proxy") ?? proxy.listen;
    const upstream = optString(o, "upstream", "Proxy") ?? proxy.upstream;
    const enabled = optBool(o, "enabled", "Proxy") ?? proxy.enabled;
    optString(o, "name", "Proxy");
    if (listen !== proxy.listen || upstream !== proxy.upstream) checkAddresses(listen, upstream, this.policy);
    await proxy.update({ listen, upstream, enabled });
    return proxy;
  }

  remove(name: string): void {
    const proxy = this.get(name);
    proxy.stop();
    this.proxies.delete(name);
  }

  /** POST /reset: start every proxy (already started is fine), then drop its toxics. */
  async reset(): Promise<void> {
    for (const proxy of this.all()) {
      await proxy.start();
      await proxy.toxics.reset();
    }
  }

  /** Stops every proxy and forgets them; used at shutdown. */
  clear(): void {
    for (const p of this.proxies.values()) p.stop();
    this.proxies.clear();
  }
}
