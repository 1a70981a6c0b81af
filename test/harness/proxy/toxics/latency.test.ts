// latency: the configured delay is added to each direction's chunks, within 10%, and jitter spreads it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addToxic, connectTo, echoServer, type ProxyFixture, proxyTo, roundTrip } from "../helpers/net.ts";

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function rtts(n: number): Promise<number[]> {
  const s = await connectTo(fx.port);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await roundTrip(s, Buffer.from(`m${i}`)));
  s.destroy();
  return out;
}

test("downstream latency 100 ms adds 100 ms ± 10% to a round trip", async () => {
  const base = median(await rtts(5));
  await addToxic(fx, { type: "latency", attributes: { latency: 100 } });
  const added = median(await rtts(5)) - base;
  assert.ok(added >= 90 && added <= 110, `added ${added.toFixed(1)} ms`);
  await fx.post("/proxies/p/toxics/latency_downstream", undefined, "DELETE");
});

test("latency on both directions adds up", async () => {
  await addToxic(fx, { type: "latency", name: "u", stream: "upstream", attributes: { latency: 60 } });
  await addToxic(fx, { type: "latency", name: "d", attributes: { latency: 40 } });
  const rtt = median(await rtts(4));
  assert.ok(rtt >= 90 && rtt <= 115, `rtt ${rtt.toFixed(1)} ms`);
  await fx.post("/reset");
});

test("jitter spreads delays over latency ± jitter", async () => {
  await addToxic(fx, { type: "latency", attributes: { latency: 60, jitter: 30 } });
  const xs = await rtts(12);
  assert.ok(Math.min(...xs) >= 29, `min ${Math.min(...xs)}`);
  assert.ok(Math.max(...xs) <= 100, `max ${Math.max(...xs)}`);
  assert.ok(Math.max(...xs) - Math.min(...xs) > 10, `spread ${xs.map((x) => x.toFixed(0)).join(",")}`);
  await fx.post("/reset");
});
