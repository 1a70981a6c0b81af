// reset_peer: the first chunk triggers an RST after the timeout; the client sees ECONNRESET.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  addToxic,
  connectTo,
  echoServer,
  type ProxyFixture,
  proxyTo,
  roundTrip,
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

test("reset_peer timeout 150: ECONNRESET about 150 ms after the first reply chunk", async () => {
  await addToxic(fx, { type: "reset_peer", attributes: { timeout: 150 } });
  const s = await connectTo(fx.port);
  const ending = watchEnding(s, 1500);
  s.write("hello");
  const e = await ending;
  assert.equal(e.kind, "reset", `ended with ${e.kind} ${e.error ?? ""}`);
  assert.equal(e.bytes, 0);
  assert.ok(e.at >= 140 && e.at <= 400, `reset after ${e.at.toFixed(0)} ms`);
  await fx.post("/reset");
});

test("after the toxic is removed, new connections are clean", async () => {
  const s = await connectTo(fx.port);
  assert.ok((await roundTrip(s, Buffer.from("x"))) < 50);
  s.destroy();
});
