/**
 * Seeded, bounded fuzzing of the running broker with mutated and random frames over many
 * connections. The broker must neither crash nor stop serving well-behaved clients.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeRequest } from "../../../engines/log/protocol/header.ts";
import { RawClient } from "../../../engines/log/tools/raw-client.ts";
import { inProcessBroker } from "./helpers/broker.ts";
import { mutate, rng, samples } from "./helpers/samples.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

test("broker survives 600 hostile connections and keeps serving", async (t) => {
  const b = await inProcessBroker(t, tempDir(t), {
    "group.min.session.timeout.ms": "10",
    "group.initial.rebalance.delay.ms": "0",
    "socket.request.max.bytes": "65536",
  });
  const healthy = await RawClient.connect(b.port);
  defer(t, () => healthy.close());
  await healthy.request(3, 6, { topics: [{ name: "fz" }], allowAutoTopicCreation: true });
  const frames = samples.map((s, i) =>
    encodeRequest({ apiKey: s.apiKey, apiVersion: s.apiVersion, correlationId: i, clientId: "fz" }, s.body),
  );
  const r = rng(99);
  let answered = 0;
  let closed = 0;
  for (let i = 0; i < 600; i++) {
    const c = await RawClient.connect(b.port);
    let bytes: Buffer;
    if (r() < 0.15) {
      bytes = Buffer.from(Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256)));
    } else {
      bytes = frames[Math.floor(r() * frames.length)]!;
      for (let k = 0, n = 1 + Math.floor(r() * 2); k < n; k++) bytes = mutate(bytes, r, r() < 0.9);
    }
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve("silent"), 60);
      c.socket.once("data", () => {
        clearTimeout(timer);
        resolve("answered");
      });
      c.socket.once("close", () => {
        clearTimeout(timer);
        resolve("closed");
      });
      c.writeRaw(bytes);
    });
    if (outcome === "answered") answered++;
    if (outcome === "closed") closed++;
    c.close();
    if (i % 100 === 99) {
      const v = (await healthy.request(18, 2, {})) as { errorCode: number };
      assert.equal(v.errorCode, 0, `broker still answers after ${i + 1} hostile connections`);
    }
  }
  assert.ok(answered > 50 && closed > 50, `answered ${answered}, closed ${closed}`);
  const md = (await healthy.request(3, 6, { topics: null, allowAutoTopicCreation: false })) as {
    brokers: unknown[];
  };
  assert.equal(md.brokers.length, 1);
});
