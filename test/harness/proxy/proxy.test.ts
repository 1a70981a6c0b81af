// Proxy-level behaviour on live connections: enable/disable, per-connection toxicity, and toxics
// added, updated and removed while a connection is open.
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
} from "./helpers/net.ts";

let echo: Awaited<ReturnType<typeof echoServer>>;
let fx: ProxyFixture;
/** Toxicity rolls come from this queue (then 0.5), so which connection a toxic hits is known. */
const rolls: number[] = [];
before(async () => {
  echo = await echoServer();
  fx = await proxyTo(echo.port, () => rolls.shift() ?? 0.5);
});
after(async () => {
  await fx.close();
  await echo.close();
});

const msg = Buffer.from("ping");

test("enabled false closes open connections and the listener; true reopens it", async () => {
  const s = await connectTo(fx.port);
  assert.ok((await roundTrip(s, msg)) < 50);
  const ending = watchEnding(s, 1000);
  const off = await fx.post("/proxies/p", { enabled: false }, "PATCH");
  assert.equal(off.status, 200);
  assert.notEqual((await ending).kind, "open", "open connection is closed");
  await assert.rejects(connectTo(fx.port), /ECONNREFUSED/);
  const on = await fx.post("/proxies/p", { enabled: true }, "PATCH");
  assert.equal(((await on.json()) as { enabled: boolean }).enabled, true);
  const again = await connectTo(fx.port);
  assert.ok((await roundTrip(again, msg)) < 50);
  again.destroy();
});

test("toxicity 0 never applies; toxicity 1 always does", async () => {
  await addToxic(fx, { type: "latency", toxicity: 0, attributes: { latency: 200 } });
  for (let i = 0; i < 5; i++) {
    const s = await connectTo(fx.port);
    assert.ok((await roundTrip(s, msg)) < 100);
    s.destroy();
  }
  await fx.post("/proxies/p/toxics/latency_downstream", { toxicity: 1 }, "PATCH");
  const s = await connectTo(fx.port);
  assert.ok((await roundTrip(s, msg)) >= 195);
  s.destroy();
  await fx.post("/reset");
});

test("each connection rolls once per toxic and keeps its decision", async () => {
  await addToxic(fx, { type: "latency", toxicity: 0.5, attributes: { latency: 80 } });
  rolls.push(0.2); // first connection: 0.2 < 0.5, the toxic applies
  const hit = await connectTo(fx.port);
  rolls.push(0.9); // second connection: noop
  const miss = await connectTo(fx.port);
  for (let i = 0; i < 3; i++) {
    assert.ok((await roundTrip(hit, msg)) >= 78);
    assert.ok((await roundTrip(miss, msg)) < 50);
  }
  hit.destroy();
  miss.destroy();
  await fx.post("/reset");
});

test("toxics added, updated and removed apply to an open connection", async () => {
  const s = await connectTo(fx.port);
  assert.ok((await roundTrip(s, msg)) < 50);
  await addToxic(fx, { type: "latency", name: "lat", stream: "upstream", attributes: { latency: 150 } });
  const slow = await roundTrip(s, msg);
  assert.ok(slow >= 148 && slow < 200, `after add ${slow}`);
  await fx.post("/proxies/p/toxics/lat", { attributes: { latency: 40 } }, "PATCH");
  const faster = await roundTrip(s, msg);
  assert.ok(faster >= 38 && faster < 90, `after update ${faster}`);
  await fx.post("/proxies/p/toxics/lat", undefined, "DELETE");
  assert.ok((await roundTrip(s, msg)) < 30);
  s.destroy();
});

test("a listen or upstream change restarts the proxy and drops its connections", async () => {
  const s = await connectTo(fx.port);
  const ending = watchEnding(s, 1000);
  const other = await echoServer();
  const r = await fx.post("/proxies/p", { upstream: `127.0.0.1:${other.port}` }, "PATCH");
  assert.equal(r.status, 200);
  assert.notEqual((await ending).kind, "open");
  const t = await connectTo(fx.port);
  assert.ok((await roundTrip(t, msg)) < 50);
  t.destroy();
  await other.close();
  await fx.post("/proxies/p", { upstream: `127.0.0.1:${echo.port}` }, "PATCH");
});

test("a client whose upstream refuses is closed", async () => {
  const r = await fx.post("/populate", [{ name: "dead", listen: "127.0.0.1:0", upstream: "127.0.0.1:1" }]);
  const listen = ((await r.json()) as { proxies: { listen: string }[] }).proxies[0]?.listen ?? "";
  const s = await connectTo(Number(listen.split(":")[1]));
  assert.notEqual((await watchEnding(s, 1000)).kind, "open");
});
