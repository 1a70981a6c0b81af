// slow_close: data arrives promptly, the close arrives `delay` later.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addToxic, connectTo, type ProxyFixture, proxyTo, tcpServer, watchEnding } from "../helpers/net.ts";

let server: Awaited<ReturnType<typeof tcpServer>>;
let fx: ProxyFixture;
before(async () => {
  server = await tcpServer((s) => s.end("bye"));
  fx = await proxyTo(server.port);
});
after(async () => {
  await fx.close();
  await server.close();
});

async function closeTiming(): Promise<{ firstByte: number; end: number }> {
  const s = await connectTo(fx.port);
  const t0 = performance.now();
  let firstByte = Number.NaN;
  s.once("data", () => {
    firstByte = performance.now() - t0;
  });
  const e = await watchEnding(s, 2000);
  s.destroy();
  assert.equal(e.kind, "end");
  assert.equal(e.bytes, 3);
  return { firstByte, end: e.at };
}

test("without the toxic the close follows the data at once", async () => {
  const t = await closeTiming();
  assert.ok(t.end < 100, `end after ${t.end.toFixed(0)} ms`);
});

test("slow_close 300 holds the close for ~300 ms, not the data", async () => {
  await addToxic(fx, { type: "slow_close", attributes: { delay: 300 } });
  const t = await closeTiming();
  assert.ok(t.firstByte < 100, `data after ${t.firstByte.toFixed(0)} ms`);
  assert.ok(t.end >= 290 && t.end <= 450, `end after ${t.end.toFixed(0)} ms`);
  await fx.post("/reset");
});
