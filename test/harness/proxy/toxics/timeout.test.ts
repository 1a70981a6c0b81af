// timeout: data is black-holed, the connection closes after the timeout; 0 holds it open until the
// toxic is removed, which closes it (Toxiproxy's Cleanup).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  addToxic,
  connectTo,
  echoServer,
  type ProxyFixture,
  proxyTo,
  sleep,
  watchEnding,
} from "../helpers/net.ts";

let echo: Awaited<ReturnType<typeof echoServer>>;
let fx: ProxyFixture;
before(async () => {
  echo = await echoServer();
  fx = await proxyTo(echo.port);
});
after(async () => {
  await fx.close();
  await echo.close();
});

test("timeout 200 drops the echo and closes ~200 ms after the last chunk", async () => {
  await addToxic(fx, { type: "timeout", attributes: { timeout: 200 } });
  const s = await connectTo(fx.port);
  const ending = watchEnding(s, 1500);
  s.write("hello");
  const e = await ending;
  assert.equal(e.kind, "end");
  assert.equal(e.bytes, 0, "no data gets through");
  assert.ok(e.at >= 180 && e.at <= 400, `closed after ${e.at.toFixed(0)} ms`);
  s.destroy();
  await fx.post("/reset");
});

test("timeout 0 holds the connection silently until the toxic is removed", async () => {
  await addToxic(fx, { type: "timeout", attributes: { timeout: 0 } });
  const s = await connectTo(fx.port);
  s.write("hello");
  const held = await watchEnding(s, 600);
  assert.equal(held.kind, "open");
  assert.equal(held.bytes, 0);
  const ending = watchEnding(s, 1000);
  await sleep(10);
  const del = await fx.post("/proxies/p/toxics/timeout_downstream", undefined, "DELETE");
  assert.equal(del.status, 204);
  const e = await ending;
  assert.notEqual(e.kind, "open", "removing the toxic closes the link");
  assert.ok(e.at < 300, `closed ${e.at.toFixed(0)} ms after removal`);
  s.destroy();
});
