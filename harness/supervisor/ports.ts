/**
 * Free loopback ports. A node keeps its ports across restarts (clients and upstream sinks point at
 * them), so they are chosen before the first start: bound once, released, handed out. They come
 * from below the kernel's ephemeral range (lib/pick-ports.ts): a port the kernel picks for
 * `listen(0)` is also what it gives the next outgoing connection's local end, and such a
 * connection, of any process, can make a node's later bind fail with EADDRINUSE.
 */

import { pickPorts } from "../../lib/pick-ports.ts";

/**
 * Ports this process handed out recently. The kernel may offer a just-released port again, and
 * two callers (the nodes, then the proxies) must not get the same one.
 */
const handedOut = new Set<number>();

export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const [port] = (await pickPorts(1, host)) as [number];
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (handedOut.size > 4096) handedOut.delete(handedOut.values().next().value as number);
    return port;
  }
  throw new Error("no free loopback port found");
}

/** Several distinct free ports. */
export async function freePorts(n: number, host = "127.0.0.1"): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort(host));
  return [...out];
}
