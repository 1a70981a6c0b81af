import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { redisConf } from "../../../../harness/targets/redis/config.ts";
import { classifyRedis, classifyRedisError } from "../../../../harness/targets/redis/producer.ts";
import { redisTopologySchema } from "../../../../harness/targets/redis/topology.ts";

describe("redis topology and config", () => {
  test("defaults, and yes/no accepted as Redis writes them", () => {
    assert.deepEqual(redisTopologySchema.parse({}), {
      streams: 4,
      appendonly: true,
      appendfsync: "everysec",
      claimIdle: 3000,
      readCount: 500,
    });
    assert.equal(redisTopologySchema.parse({ appendonly: "no" }).appendonly, false);
    assert.equal(redisTopologySchema.safeParse({ appendonly: "maybe" }).success, false);
    assert.equal(redisTopologySchema.safeParse({ fsync: "always" }).success, false);
  });

  test("redis.conf binds loopback, keeps no RDB snapshots, and carries the durability settings", () => {
    const conf = redisConf({
      port: 7001,
      dataDir: '/tmp/a "b"',
      topology: { appendonly: false, appendfsync: "always" },
    });
    const lines = conf.trim().split("\n");
    for (const l of [
      "bind 127.0.0.1",
      "port 7001",
      'save ""',
      "appendonly no",
      "appendfsync always",
      'dir "/tmp/a \\"b\\""',
    ])
      assert.ok(lines.includes(l), `${l} in\n${conf}`);
  });
});

describe("redis send outcomes", () => {
  const reply = (e: string) => Object.assign(new Error(e), { name: "ReplyError" });
  test("all replies ok → ok; all refused by the server → fail; a timeout or lost connection → info", () => {
    assert.deepEqual(
      classifyRedis([
        [null, "1-0"],
        [null, "1-1"],
      ]),
      { type: "ok" },
    );
    assert.equal(classifyRedis([[reply("LOADING Redis is loading"), null]]).type, "fail");
    assert.equal(classifyRedis(null, new Error("Command timed out")).type, "info");
    assert.equal(classifyRedis(null, new Error("Connection is closed.")).type, "info");
    assert.equal(
      classifyRedisError(new Error("Stream isn't writeable and enableOfflineQueue options is false")).type,
      "fail",
    );
  });

  test("some written and some not is unknown for the batch", () => {
    assert.equal(
      classifyRedis([
        [null, "1-0"],
        [reply("OOM"), null],
      ]).type,
      "info",
    );
  });
});
