/**
 * The network under a topology: one fault proxy per link, served by faultbench's own
 * Toxiproxy-compatible server (started as its own supervised process, so proxying never competes
 * with the load generator's event loop) or by a real toxiproxy-server when TOXIPROXY_URL is set.
 * Each side of a link is pointed at the proxy's listen port instead of the real one.
 */

import { join } from "node:path";
import { tsxNode } from "../supervisor/node-process.ts";
import { freePorts } from "../supervisor/ports.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";
import type { Link } from "./links.ts";
import { ProxyClient } from "./proxy-client.ts";

export interface Network {
  client: ProxyClient;
  /** Listen port of each link's proxy, by link name. */
  listen: Map<string, number>;
  links: Link[];
}

export interface NetworkOptions {
  supervisor: Supervisor;
  runDir: string;
  projectRoot: string;
  links: Link[];
  /** The real port each link's `to` node listens on (on 127.0.0.1). */
  upstreamPort?: (node: string) => number;
  /** Or its full address (`host:port`), for nodes the harness did not start. */
  upstream?: (node: string) => string;
  /** Or per link, when one node listens on several ports (a broker that is also a controller). */
  upstreamFor?: (link: Link) => string | undefined;
  /**
   * Where a link's proxy must listen (`host:port`), when the far side already knows the address
   * (an external broker advertises it); otherwise an ephemeral loopback port.
   */
  listenAt?: (link: Link) => string | undefined;
  readyTimeoutMs?: number;
  /** Seeds the embedded proxy's toxicity rolls and jitter. */
  seed: number;
}

/** Starts the proxy server (unless TOXIPROXY_URL is set) and creates one proxy per link. */
export async function startNetwork(o: NetworkOptions): Promise<Network> {
  let url = process.env.TOXIPROXY_URL;
  if (!url) {
    const node = o.supervisor.add({
      name: "proxy",
      // Seeded, so which connections a partial-toxicity toxic hits is the same on every run.
      ...tsxNode(o.projectRoot, "harness/proxy/main.ts", ["--port", "0", "--seed", String(o.seed)]),
      logPath: join(o.runDir, "logs", "proxy.log"),
      readyTimeoutMs: o.readyTimeoutMs ?? 15_000,
    });
    const ready = await node.start();
    url = `http://127.0.0.1:${ready.ports.api}`;
  }
  const client = new ProxyClient(url);
  await client.reset();
  const ports = await freePorts(o.links.length);
  const listen = new Map<string, number>();
  for (const [i, l] of o.links.entries()) {
    const fixed = o.listenAt?.(l);
    const at = fixed ?? `127.0.0.1:${ports[i] as number}`;
    const upstream = o.upstreamFor?.(l) ?? o.upstream?.(l.to) ?? `127.0.0.1:${o.upstreamPort?.(l.to)}`;
    // A real toxiproxy-server keeps proxies between runs; a leftover one with this name goes first.
    await client.deleteProxy(l.name).catch(() => undefined);
    await client.createProxy(l.name, at, upstream);
    listen.set(l.name, Number(at.slice(at.lastIndexOf(":") + 1)));
  }
  return { client, listen, links: o.links };
}

/** Removes this run's proxies from a shared toxiproxy-server; the embedded one just stops. */
export async function stopNetwork(n: Network | undefined): Promise<void> {
  if (!n || !process.env.TOXIPROXY_URL) return;
  for (const l of n.links) await n.client.deleteProxy(l.name).catch(() => undefined);
}
