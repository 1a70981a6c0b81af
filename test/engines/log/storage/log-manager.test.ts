import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { defaultLogConfig } from "../../../../engines/log/storage/log-config.ts";
import { isValidTopicName, LogManager } from "../../../../engines/log/storage/log-manager.ts";
import { tempDir } from "../helpers/tmp.ts";

test("topics, partition counts and config overrides persist; the clean-shutdown marker is honoured", (t) => {
  const dir = tempDir(t);
  const m = new LogManager(dir, defaultLogConfig);
  assert.equal(m.load(), false, "an empty directory counts as not cleanly shut down");
  m.createTopic("a", 3, { "retention.ms": "1000" });
  m.createTopic("b", 1);
  m.partition("a", 2)!.append(buildBatch([{ value: Buffer.from("x") }]));
  assert.throws(() => m.createTopic("c", 1, { "no.such": "1" }), /unknown topic config/);
  m.close();
  assert.ok(existsSync(join(dir, ".clean-shutdown")));
  const again = new LogManager(dir, defaultLogConfig);
  assert.equal(again.load(), true);
  assert.ok(!existsSync(join(dir, ".clean-shutdown")), "the marker is consumed at start");
  assert.deepEqual(again.topicNames(), ["a", "b"]);
  assert.equal(again.topic("a")!.partitions.length, 3);
  assert.equal(again.partition("a", 0)!.config.retentionMs, 1000);
  assert.equal(again.partition("a", 2)!.logEndOffset, 1);
  assert.equal(again.deleteTopic("a"), true);
  assert.ok(!existsSync(join(dir, "a-0")));
  assert.equal(again.deleteTopic("a"), false);
  // Simulated crash: no close(), so no marker; the next start validates every segment.
  const third = new LogManager(dir, defaultLogConfig);
  assert.equal(third.load(), false);
  assert.deepEqual(third.topicNames(), ["b"]);
  third.close();
  again.close();
});

test("topic name rules follow Kafka's", () => {
  for (const ok of ["a", "A.b_c-9", "x".repeat(249)]) assert.ok(isValidTopicName(ok), ok);
  for (const bad of ["", ".", "..", "a/b", "a b", "x".repeat(250), "ü"])
    assert.ok(!isValidTopicName(bad), bad);
});
