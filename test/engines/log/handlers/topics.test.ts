import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ErrorCode as E } from "../../../../engines/log/protocol/error-codes.ts";
import { createTopicsBody, rawBroker } from "../helpers/raw.ts";

test("CreateTopics validates names, counts, replication, configs and duplicates; validate_only creates nothing", async (t) => {
  const { call, dir } = await rawBroker(t);
  const r = await call(
    19,
    3,
    createTopicsBody([
      { name: "ok", numPartitions: 3, configs: { "retention.ms": "1000", "segment.bytes": "4096" } },
      { name: "bad name!" },
      { name: "zero", numPartitions: 0 },
      { name: "rf3", replicationFactor: 3 },
      { name: "cfg", configs: { "retention.mss": "1" } },
      { name: "dup" },
      { name: "dup" },
    ]),
  );
  assert.deepEqual(
    r.topics.map((x: { name: string; errorCode: number }) => [x.name, x.errorCode]),
    [
      ["ok", 0],
      ["bad name!", E.INVALID_TOPIC_EXCEPTION],
      ["zero", E.INVALID_PARTITIONS],
      ["rf3", E.INVALID_REPLICATION_FACTOR],
      ["cfg", E.INVALID_CONFIG],
      ["dup", E.INVALID_REQUEST],
      ["dup", E.INVALID_REQUEST],
    ],
  );
  assert.ok(existsSync(join(dir, "ok-2")) && !existsSync(join(dir, "ok-3")));
  const again = await call(19, 3, createTopicsBody([{ name: "ok" }]));
  assert.equal(again.topics[0].errorCode, E.TOPIC_ALREADY_EXISTS);
  const dry = await call(19, 3, createTopicsBody([{ name: "dry", numPartitions: 2 }], true));
  assert.equal(dry.topics[0].errorCode, 0);
  assert.ok(!existsSync(join(dir, "dry-0")));
  const del = await call(20, 1, { topicNames: ["ok", "never"], timeoutMs: 1000 });
  assert.deepEqual(
    del.responses.map((x: { errorCode: number }) => x.errorCode),
    [0, E.UNKNOWN_TOPIC_OR_PARTITION],
  );
  assert.ok(!existsSync(join(dir, "ok-0")));
});

test("CreateTopics v5+ answers the created topic's partitions, replication factor and configs", async (t) => {
  const { call } = await rawBroker(t);
  const r = await call(
    19,
    5,
    createTopicsBody([
      { name: "made", numPartitions: 3, configs: { "retention.ms": "1000" } },
      { name: "bad", numPartitions: 0 },
    ]),
  );
  const [made, bad] = r.topics;
  assert.deepEqual([made.errorCode, made.numPartitions, made.replicationFactor], [0, 3, 1]);
  const byName = Object.fromEntries(
    made.configs.map((c: { name: string; value: string; configSource: number }) => [
      c.name,
      [c.value, c.configSource],
    ]),
  );
  // The topic's own value is DYNAMIC_TOPIC_CONFIG (1); untouched keys are DEFAULT_CONFIG (5).
  assert.deepEqual(byName["retention.ms"], ["1000", 1]);
  assert.equal(byName["cleanup.policy"]?.[1] ?? byName["segment.bytes"]?.[1], 5);
  assert.deepEqual([bad.errorCode, bad.numPartitions, bad.configs], [E.INVALID_PARTITIONS, -1, null]);
});
