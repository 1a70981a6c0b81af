import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Redis } from "ioredis";
import { encodePayload } from "../../../../harness/generator/payload.ts";
import { RedisProducers } from "../../../../harness/targets/redis/producer.ts";
import { streamNames } from "../../../../harness/targets/redis/topology.ts";
import type { SendOutcome } from "../../../../harness/targets/target.ts";
import { batchOf, deliveredCounts, needs, PeerServers, until } from "../helpers/peer-servers.ts";

const consumerScript = "harness/targets/redis/consumer-process.ts";
const streams = streamNames({ streams: 3 });

describe("Redis Streams against a real redis-server", { skip: needs("redis-server") }, () => {
  const servers = new PeerServers();
  after(() => servers.close());

  test("pipelined XADDs reach a consumer group member, each message once, spread over the streams", async () => {
    const { port } = await servers.redis({ appendonly: true, appendfsync: "everysec" });
    const c = await servers.consumer(consumerScript, "consumer-1", [
      "--port",
      String(port),
      "--streams",
      streams.join(","),
      "--group",
      "g",
    ]);
    const producers = new RedisProducers(2, { port, streams, timeoutMs: 2000, messageSize: 64 });
    await producers.connect();
    try {
      for (let b = 0; b < 6; b++) {
        assert.deepEqual(await producers.send(0, batchOf(0, b * 50, 50)), { type: "ok" });
        assert.deepEqual(
          await producers.send(
            1,
            batchOf(1, b * 50, 50, (i) => `k${i % 7}`),
          ),
          { type: "ok" },
        );
      }
      assert.ok(await until(() => deliveredCounts(c.reports).size === 600), "all 600 delivered");
      assert.ok(
        [...deliveredCounts(c.reports).values()].every((n) => n === 1),
        "no duplicates",
      );
      const redis = new Redis({ port, lazyConnect: true });
      await redis.connect();
      const lens = await Promise.all(streams.map((s) => redis.xlen(s)));
      assert.equal(
        lens.reduce((a, b) => a + b, 0),
        600,
      );
      assert.ok(
        lens.every((n) => n > 0),
        `every stream used: ${lens}`,
      );
      // Acknowledged: nothing is left pending in the group.
      const pending = await Promise.all(streams.map((s) => redis.xpending(s, "g")));
      assert.ok(pending.every((p) => (p as [number])[0] === 0));
      redis.disconnect();
    } finally {
      await producers.close();
      await c.node.stop();
    }
  });

  test("a send to a dead server fails at once (never written); sends work again after the restart", async () => {
    const { node, port } = await servers.redis({ appendonly: true, appendfsync: "always" });
    const producers = new RedisProducers(1, { port, streams, timeoutMs: 1000, messageSize: 64 });
    await producers.connect();
    try {
      assert.deepEqual(await producers.send(0, batchOf(0, 0, 10)), { type: "ok" });
      await node.kill();
      const down = await producers.send(0, batchOf(0, 10, 10));
      assert.equal(down.type, "fail");
      await node.start();
      let back: SendOutcome = down;
      for (let i = 0; i < 100 && back.type !== "ok"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        back = await producers.send(0, batchOf(0, 20, 10));
      }
      assert.deepEqual(back, { type: "ok" });
    } finally {
      await producers.close();
    }
  });

  for (const [appendonly, survives] of [
    [true, 10],
    [false, 0],
  ] as const) {
    test(`kill -9 and restart with appendonly ${appendonly ? "yes" : "no"}: ${survives} of 10 acked entries survive`, async () => {
      const { node, port } = await servers.redis({ appendonly, appendfsync: "always" });
      const producers = new RedisProducers(1, { port, streams: ["s"], timeoutMs: 1000, messageSize: 64 });
      await producers.connect();
      assert.deepEqual(await producers.send(0, batchOf(0, 0, 10)), { type: "ok" });
      await producers.close();
      await node.kill();
      await node.start();
      const redis = new Redis({ port, lazyConnect: true });
      await redis.connect();
      assert.equal(await redis.xlen("s"), survives);
      redis.disconnect();
    });
  }

  test("entries a dead consumer left pending are reclaimed (XAUTOCLAIM) and reported by a live one", async () => {
    const { port } = await servers.redis({ appendonly: false, appendfsync: "everysec" });
    const redis = new Redis({ port, lazyConnect: true });
    await redis.connect();
    await redis.xgroup("CREATE", "s", "g", "0", "MKSTREAM");
    for (let i = 0; i < 5; i++) await redis.xadd("s", "*", "v", encodePayload(3, i, 0, 64));
    // "consumer-dead" reads them and never acknowledges: they stay in its pending list.
    const read = (await redis.xreadgroup(
      "GROUP",
      "g",
      "consumer-dead",
      "COUNT",
      10,
      "STREAMS",
      "s",
      ">",
    )) as [string, unknown[]][];
    assert.equal(read[0]?.[1].length, 5);
    const c = await servers.consumer(consumerScript, "consumer-2", [
      "--port",
      String(port),
      "--streams",
      "s",
      "--group",
      "g",
      "--claim-idle",
      "300",
      "--block",
      "100",
    ]);
    assert.ok(await until(() => deliveredCounts(c.reports).size === 5, 5000), "reclaimed all 5");
    assert.deepEqual(
      c.reports.flatMap((r) => r.runs),
      [[3, 0, 4]],
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(((await redis.xpending("s", "g")) as [number])[0], 0, "reclaimed entries were acknowledged");
    redis.disconnect();
    await c.node.stop();
  });

  test("a restarted Redis that kept nothing has no group: the consumer creates it again and reads on", async () => {
    const { node, port } = await servers.redis({ appendonly: false, appendfsync: "everysec" });
    const c = await servers.consumer(consumerScript, "consumer-1", [
      "--port",
      String(port),
      "--streams",
      "s",
      "--group",
      "g",
      "--block",
      "200",
    ]);
    const producers = new RedisProducers(1, { port, streams: ["s"], timeoutMs: 1000, messageSize: 64 });
    await producers.connect();
    try {
      await node.kill();
      await node.start();
      let sent = await producers.send(0, batchOf(0, 0, 5));
      for (let i = 0; i < 100 && sent.type !== "ok"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        sent = await producers.send(0, batchOf(0, 0, 5));
      }
      assert.deepEqual(sent, { type: "ok" });
      assert.ok(
        await until(() => deliveredCounts(c.reports).size === 5, 8000),
        "delivered after the restart",
      );
    } finally {
      await producers.close();
      await c.node.stop();
    }
  });
});
