/**
 * DescribeConfigs / AlterConfigs / IncrementalAlterConfigs on one broker, over the wire in their
 * oldest and newest (flexible) versions, and the topic's min.insync.replicas acting on acks=all.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { createTopicsBody, rawBroker } from "../helpers/raw.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers are checked field by field
type Any = Record<string, any>;

const describeBody = (name: string, type = 2, keys: string[] | null = null) => ({
  resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
  includeSynonyms: true,
  includeDocumentation: false,
});

const produceAll = (topic: string) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 1000,
  topicData: [
    { name: topic, partitionData: [{ index: 0, records: buildBatch([{ value: Buffer.from("x") }]) }] },
  ],
});

test("topic configs on one broker: describe v0 and v4, alter v0, incremental v1, min.insync.replicas on acks=all", async (t) => {
  const { call } = await rawBroker(t);
  const created = await call(
    ApiKey.CreateTopics,
    3,
    createTopicsBody([
      { name: "two", configs: { "min.insync.replicas": "2", "retention.ms": "60000" } },
      { name: "typo", configs: { "min.insync.replica": "2" } },
    ]),
  );
  assert.deepEqual(
    created.topics.map((x: Any) => x.errorCode),
    [0, 40],
  );
  assert.match(created.topics[1].errorMessage, /unknown topic config min\.insync\.replica;/);

  let r: Any = await call(ApiKey.Produce, 7, produceAll("two"));
  assert.equal(r.responses[0].partitionResponses[0].errorCode, 19, "one replica < min.insync.replicas=2");

  const v0 = await call(ApiKey.DescribeConfigs, 0, describeBody("two", 2, ["min.insync.replicas"]));
  assert.deepEqual(
    v0.results[0].configs.map((c: Any) => [c.name, c.value, c.isDefault]),
    [["min.insync.replicas", "2", false]],
  );
  const v4 = await call(ApiKey.DescribeConfigs, 4, describeBody("two"));
  const by = Object.fromEntries(v4.results[0].configs.map((c: Any) => [c.name, c]));
  assert.equal(by["retention.ms"].configSource, 1);
  assert.equal(by["segment.bytes"].configSource, 5);
  assert.equal(by["min.insync.replicas"].configType, 3);
  const missing = await call(ApiKey.DescribeConfigs, 4, describeBody("nope"));
  assert.equal(missing.results[0].errorCode, 3);

  // AlterConfigs replaces the set: retention.ms returns to the default.
  r = await call(ApiKey.AlterConfigs, 0, {
    resources: [
      { resourceType: 2, resourceName: "two", configs: [{ name: "min.insync.replicas", value: "1" }] },
    ],
    validateOnly: false,
  });
  assert.equal(r.responses[0].errorCode, 0);
  r = await call(ApiKey.Produce, 7, produceAll("two"));
  assert.equal(
    r.responses[0].partitionResponses[0].errorCode,
    0,
    "min.insync.replicas=1 acts on the next produce",
  );
  const after = await call(ApiKey.DescribeConfigs, 2, describeBody("two", 2, ["retention.ms"]));
  assert.deepEqual(
    after.results[0].configs.map((c: Any) => [c.value, c.configSource]),
    [["604800000", 5]],
  );

  r = await call(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: 2,
        resourceName: "two",
        configs: [{ name: "flush.messages", configOperation: 0, value: "1" }],
      },
      { resourceType: 2, resourceName: "two-typo", configs: [] },
      {
        resourceType: 4,
        resourceName: "1",
        configs: [{ name: "num.partitions", configOperation: 0, value: "3" }],
      },
    ],
    validateOnly: false,
  });
  assert.deepEqual(
    r.responses.map((x: Any) => x.errorCode),
    [0, 3, 42],
  );
  assert.match(r.responses[2].errorMessage, /static/);
  const bad = await call(ApiKey.IncrementalAlterConfigs, 0, {
    resources: [
      {
        resourceType: 2,
        resourceName: "two",
        configs: [{ name: "min.insync.replicas", configOperation: 0, value: "zero" }],
      },
    ],
    validateOnly: false,
  });
  assert.equal(bad.responses[0].errorCode, 40);
  assert.match(bad.responses[0].errorMessage, /min\.insync\.replicas: not an integer/);
  const flushed = await call(
    ApiKey.DescribeConfigs,
    3,
    describeBody("two", 2, ["flush.messages", "min.insync.replicas"]),
  );
  assert.deepEqual(
    flushed.results[0].configs.map((c: Any) => [c.name, c.value]),
    [
      ["flush.messages", "1"],
      ["min.insync.replicas", "1"],
    ],
  );

  // Broker resource: this broker's settings; another broker's id is refused.
  const broker = await call(ApiKey.DescribeConfigs, 1, describeBody("1", 4, ["num.partitions"]));
  assert.deepEqual(
    broker.results[0].configs.map((c: Any) => [c.name, c.value, c.readOnly]),
    [["num.partitions", "1", true]],
  );
  const other = await call(ApiKey.DescribeConfigs, 1, describeBody("7", 4));
  assert.equal(other.results[0].errorCode, 42);
});
