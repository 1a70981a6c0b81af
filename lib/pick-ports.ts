/**
 * Ports a cluster's nodes must know before any of them starts (the controller quorum's
 * addresses). Picked at random below the kernel's ephemeral range (32768+ on Linux), where no
 * outgoing connection or port-0 listener on this busy machine can take one between the pick and
 * the node's bind, and checked by binding each once.
 */

import { createServer } from "node:net";

function tryBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

export async function pickPorts(
  n: number,
  host = "127.0.0.1",
  low = 20_000,
  high = 32_000,
): Promise<number[]> {
  const out = new Set<number>();
  for (let attempts = 0; out.size < n; attempts++) {
    if (attempts > n * 200) throw new Error(`no ${n} free ports in ${low}–${high}`);
    const p = low + Math.floor(Math.random() * (high - low));
    if (!out.has(p) && (await tryBind(host, p))) out.add(p);
  }
  return [...out];
}
