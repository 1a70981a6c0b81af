/**
 * The event counter that bench:generator's agents deliver to, in a process of its own so the bench
 * process's CPU is the load generator's alone (the sink's batching, and so the collector's cost,
 * differs with how hard the agent is pushed). POSTs of Flume JSON events are counted natively, one
 * "{" per event (the bench's bodies hold none); a GET answers with the total so far. Prints
 * `port <n>` once listening.
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

let delivered = 0;
const server = createServer((req, res) => {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "text/plain" }).end(String(delivered));
    return;
  }
  let n = 0;
  req.on("data", (c: Buffer) => {
    for (let i = c.indexOf(0x7b); i >= 0; i = c.indexOf(0x7b, i + 1)) n++;
  });
  req.on("end", () => {
    delivered += n;
    res.writeHead(200, { "content-length": 0 }).end();
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`port ${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
// The bench died without stopping us: do not outlive it.
process.stdin.on("end", () => process.exit(0)).resume();
