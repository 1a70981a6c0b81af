/**
 * Free loopback ports. A node keeps its ports across restarts (clients and upstream sinks point at
 * them), so they are chosen before the first start: bind port 0, read the port, release it.
 */

import { createServer } from "node:net";

/**
 * Ports this process handed out recently. The kernel may offer a just-released port again, and
 * two callers (the nodes, then the proxies) must not get the same one.
 */
const handedOut = new Set<number>();

export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await probe(host);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (handedOut.size > 4096) handedOut.delete(handedOut.values().next().value as number);
    return port;
  }
  throw new Error("no free loopback port found");
}

function probe(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Several distinct free ports. */
export async function freePorts(n: number, host = "127.0.0.1"): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort(host));
  return [...out];
}
