import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode as E } from "../../../../engines/log/protocol/error-codes.ts";
import { serveLog } from "../../../../engines/log/server.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { rawBroker } from "../helpers/raw.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

test("Metadata auto-creates with num.partitions only when both broker and client allow it", async (t) => {
  const { call } = await rawBroker(t, { "num.partitions": "4" });
  const noAuto = await call(3, 6, { topics: [{ name: "a" }], allowAutoTopicCreation: false });
  assert.equal(noAuto.topics[0].errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
  // v9 (flexible) carries the leader epoch.
  const auto = await call(3, 9, {
    topics: [{ name: "a" }, { name: "bad/name" }],
    allowAutoTopicCreation: true,
  });
  assert.equal(auto.topics[0].errorCode, 0);
  assert.equal(auto.topics[0].partitions.length, 4);
  assert.deepEqual(auto.topics[0].partitions[3], {
    errorCode: 0,
    partitionIndex: 3,
    leaderId: 1,
    leaderEpoch: 0,
    replicaNodes: [1],
    isrNodes: [1],
    offlineReplicas: [],
  });
  assert.equal(auto.topics[1].errorCode, E.INVALID_TOPIC_EXCEPTION);
  const all = await call(3, 6, { topics: null, allowAutoTopicCreation: false });
  assert.deepEqual(
    all.topics.map((x: { name: string }) => x.name),
    ["a"],
  );
  const none = await call(3, 6, { topics: [], allowAutoTopicCreation: false });
  assert.equal(none.topics.length, 0, "an empty list in v1+ means no topics");
  const v0 = await call(3, 0, { topics: [] });
  assert.equal(v0.topics.length, 1, "an empty list in v0 means all topics");
});

test("auto.create.topics.enable=false refuses unknown topics", async (t) => {
  const { call } = await rawBroker(t, { "auto.create.topics.enable": "false" });
  const r = await call(3, 6, { topics: [{ name: "x" }], allowAutoTopicCreation: true });
  assert.equal(r.topics[0].errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
});

test("Metadata and FindCoordinator advertise the configured listener, not the bound port", async (t) => {
  const b = await serveLog({
    dataDir: tempDir(t),
    advertisedHost: "proxy.example",
    advertisedPort: 29092,
    nodeId: 7,
    log: () => {},
  });
  defer(t, () => b.close());
  const c = await RawClient.connect(b.port);
  defer(t, () => c.close());
  // biome-ignore lint/suspicious/noExplicitAny: response fields checked below
  const md = (await c.request(3, 6, { topics: null, allowAutoTopicCreation: false })) as any;
  assert.deepEqual(md.brokers, [{ nodeId: 7, host: "proxy.example", port: 29092, rack: null }]);
  assert.equal(md.controllerId, 7);
  // biome-ignore lint/suspicious/noExplicitAny: response fields checked below
  const fc = (await c.request(10, 2, { key: "g", keyType: 0 })) as any;
  assert.deepEqual([fc.errorCode, fc.nodeId, fc.host, fc.port], [0, 7, "proxy.example", 29092]);
  // biome-ignore lint/suspicious/noExplicitAny: response fields checked below
  const txn = (await c.request(10, 2, { key: "tx", keyType: 1 })) as any;
  assert.equal(txn.errorCode, E.COORDINATOR_NOT_AVAILABLE);
});
