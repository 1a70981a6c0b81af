// bandwidth: a bulk download through the proxy runs at the configured rate, within 10%.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addToxic, connectTo, type ProxyFixture, proxyTo, readBytes, tcpServer } from "../helpers/net.ts";

const total = 600_000;
let server: Awaited<ReturnType<typeof tcpServer>>;
let fx: ProxyFixture;
before(async () => {
  // Sends `total` bytes as soon as asked (one byte from the client), as fast as TCP takes them.
  server = await tcpServer((s) => s.once("data", () => s.write(Buffer.alloc(total, 7))));
  fx = await proxyTo(server.port);
});
after(async () => {
  await fx.close();
  await server.close();
});

async function download(): Promise<number> {
  const s = await connectTo(fx.port);
  const t0 = performance.now();
  const got = readBytes(s, total);
  s.write("go");
  const data = await got;
  const secs = (performance.now() - t0) / 1000;
  s.destroy();
  assert.equal(data.length, total);
  return total / 1000 / secs;
}

test("rate 1000 KB/s (1 KB = 1000 bytes) gives 1000 KB/s ± 10%", async () => {
  await addToxic(fx, { type: "bandwidth", attributes: { rate: 1000 } });
  const kbps = await download();
  assert.ok(kbps >= 900 && kbps <= 1100, `${kbps.toFixed(0)} KB/s`);
  await fx.post("/reset");
});

test("rate 0 is unlimited", async () => {
  await addToxic(fx, { type: "bandwidth", attributes: { rate: 0 } });
  const kbps = await download();
  assert.ok(kbps > 5000, `${kbps.toFixed(0)} KB/s`);
  await fx.post("/reset");
});
