// A metadata snapshot is the image itself: encoding it and reading it back gives the same image,
// and the records after it applied to either give the same image again.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyRecord,
  decodeImage,
  emptyImage,
  encodeImage,
  type MetadataRecord,
  replaceImage,
} from "../../../../engines/log/controller/metadata-image.ts";

const broker = (id: number) => ({
  id,
  host: "127.0.0.1",
  port: 9090 + id,
  replicationHost: "127.0.0.1",
  replicationPort: 9090 + id,
  fenced: false,
});

const history: MetadataRecord[] = [
  { type: "noop" },
  { type: "registerBroker", broker: broker(1) },
  { type: "registerBroker", broker: broker(2) },
  { type: "registerBroker", broker: broker(3) },
  {
    type: "createTopic",
    name: "orders",
    configs: { "retention.ms": "60000" },
    partitions: [
      { replicas: [1, 2, 3], leader: 1, isr: [1, 2, 3], leaderEpoch: 0, partitionEpoch: 0 },
      { replicas: [2, 3, 1], leader: 2, isr: [2, 3, 1], leaderEpoch: 0, partitionEpoch: 0 },
    ],
  },
  {
    type: "batch",
    records: [
      { type: "brokerFenced", id: 1, fenced: true },
      {
        type: "partitionChange",
        topic: "orders",
        partition: 0,
        state: { replicas: [1, 2, 3], leader: 2, isr: [2, 3], leaderEpoch: 1, partitionEpoch: 1 },
      },
    ],
  },
  {
    type: "topicConfigs",
    name: "orders",
    configs: { "retention.ms": "60000", "min.insync.replicas": "3" },
  },
  { type: "topicConfigs", name: "no-such-topic", configs: { "min.insync.replicas": "2" } },
  {
    type: "offsetCommit",
    group: "g1",
    entries: [
      { topic: "orders", partition: 0, offset: 42, metadata: null },
      { topic: "orders", partition: 1, offset: 7, metadata: "ünïcode ✓" },
    ],
  },
];

const later: MetadataRecord[] = [
  { type: "brokerFenced", id: 1, fenced: false },
  {
    type: "offsetCommit",
    group: "g1",
    entries: [{ topic: "orders", partition: 0, offset: 50, metadata: null }],
  },
  {
    type: "offsetCommit",
    group: "g2",
    entries: [{ topic: "orders", partition: 1, offset: 3, metadata: null }],
  },
  { type: "topicConfigs", name: "orders", configs: { "unclean.leader.election.enable": "true" } },
  { type: "deleteTopic", name: "orders" },
];

test("an image survives a snapshot round trip and evolves the same afterwards", () => {
  const live = emptyImage();
  for (const [i, r] of history.entries()) applyRecord(live, r, i + 1);
  const restored = decodeImage(encodeImage(live));
  assert.deepEqual(restored, live);
  assert.equal(restored.version, history.length);
  assert.equal(restored.topics.orders!.partitions[0]!.leaderEpoch, 1);
  assert.deepEqual(restored.offsets.g1!["orders\u00001"], { offset: 7, metadata: "ünïcode ✓" });
  assert.deepEqual(restored.topics.orders!.configs, { "retention.ms": "60000", "min.insync.replicas": "3" });
  assert.equal(restored.topics["no-such-topic"], undefined, "configs of an unknown topic create nothing");

  for (const [i, r] of later.entries()) {
    applyRecord(live, r, history.length + i + 1);
    applyRecord(restored, r, history.length + i + 1);
    assert.deepEqual(restored, live);
  }
  assert.deepEqual(live.offsets, { g1: {}, g2: {} });
});

test("restoring replaces an image in place and shares nothing with the snapshot's holder", () => {
  const source = emptyImage();
  for (const [i, r] of history.entries()) applyRecord(source, r, i + 1);
  const held = emptyImage();
  const ref = held;
  replaceImage(held, decodeImage(encodeImage(source)));
  assert.equal(held, ref);
  assert.deepEqual(held, source);
  applyRecord(source, later[1]!, 100);
  assert.equal(held.offsets.g1!["orders\u00000"]!.offset, 42);
});

test("a damaged snapshot is refused with a reason", () => {
  assert.throws(() => decodeImage('{"version":3,"brokers":{}'), /not JSON/);
  assert.throws(() => decodeImage('{"version":3,"brokers":{},"topics":{}}'), /offsets/);
  assert.throws(() => decodeImage("[]"), /lacks version/);
});
