/**
 * Consumer groups on a cluster: the coordinator is the leader of __consumer_offsets-0 and a commit
 * is a record appended there with acks=all, on every in-sync replica before OffsetCommit answers,
 * so killing the coordinator loses no committed offset — its successor loads them from its own
 * replica and a consumer of the same group resumes where the group left off. Deleting a topic
 * removes its committed offsets.
 * Also: SIGTERM on a leader moves its leaderships before it exits (controlled shutdown).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { decodeCommits } from "../../../../engines/log/groups/offsets-log.ts";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { fastCluster, spawnCluster } from "../helpers/cluster.ts";
import { testConsumer, waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

const kafkaOn = (brokers: string[]) =>
  new Kafka({
    clientId: "groups-test",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 20 },
  });

/** Every commit record in one broker's own replica of __consumer_offsets-0 (debug fetch, up to its LEO). */
async function offsetsLogOf(port: number) {
  const c = await RawClient.connect(port);
  try {
    const r = (await c.request(ApiKey.Fetch, 11, {
      replicaId: -2,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: "__consumer_offsets",
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0,
              logStartOffset: -1,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    })) as { responses: Array<{ partitions: Array<{ errorCode: number; records: Buffer | null }> }> };
    const p = r.responses[0]!.partitions[0]!;
    assert.equal(p.errorCode, 0);
    return decodeCommits(p.records ?? Buffer.alloc(0));
  } finally {
    c.close();
  }
}

test("an OffsetCommit is a record of __consumer_offsets-0 on every in-sync replica once answered", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const kafka = kafkaOn(cluster.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: "p", numPartitions: 2, replicationFactor: 3 }] });
  // A simple commit (no generation) straight to the coordinator, so the test knows when it was answered.
  const bootstrap = await RawClient.connect(cluster.nodes[0]!.port);
  defer(t, () => bootstrap.close());
  let coordinatorPort = -1;
  await waitFor(
    async () => {
      const r = (await bootstrap.request(ApiKey.FindCoordinator, 2, { key: "path", keyType: 0 })) as {
        errorCode: number;
        port: number;
      };
      coordinatorPort = r.port;
      return r.errorCode === 0;
    },
    10_000,
    "a group coordinator",
  );
  const coordinator = await RawClient.connect(coordinatorPort);
  defer(t, () => coordinator.close());
  let codes: number[] = [];
  await waitFor(
    async () => {
      const r = (await coordinator.request(ApiKey.OffsetCommit, 7, {
        groupId: "path",
        generationId: -1,
        memberId: "",
        groupInstanceId: null,
        topics: [
          {
            name: "p",
            partitions: [
              { partitionIndex: 0, committedOffset: 7, committedMetadata: null },
              { partitionIndex: 1, committedOffset: 3, committedMetadata: null },
            ],
          },
        ],
      })) as { topics: Array<{ partitions: Array<{ errorCode: number }> }> };
      codes = r.topics[0]!.partitions.map((p) => p.errorCode);
      // 14: the new coordinator is still loading its (empty) log; clients retry.
      return codes.every((c) => c !== 14);
    },
    10_000,
    "the coordinator to load",
  );
  assert.deepEqual(codes, [0, 0]);
  const md = (await admin.fetchTopicMetadata({ topics: ["__consumer_offsets"] })).topics[0]!.partitions[0]!;
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: "__consumer_offsets" }],
  });
  const entry = (name: string) =>
    configs.resources[0]!.configEntries.find((c) => c.configName === name)?.configValue;
  assert.equal(entry("min.insync.replicas"), "2", "a commit waits for two replicas");
  assert.equal(entry("cleanup.policy"), "compact", "the cleaner keeps the last commit of each key");
  assert.equal(md.replicas.length, 3);
  assert.equal(md.isr.length, 3);
  for (const n of cluster.nodes) {
    const records = await offsetsLogOf(n.port);
    assert.deepEqual(
      records.filter((r) => r.group === "path"),
      [
        { group: "path", topic: "p", partition: 0, offset: 7, metadata: null },
        { group: "path", topic: "p", partition: 1, offset: 3, metadata: null },
      ],
      `broker ${n.id}'s replica of the offsets partition holds the commit`,
    );
  }
  const got = await admin.fetchOffsets({ groupId: "path", topics: ["p"] });
  assert.deepEqual(got[0]!.partitions.map((p) => [p.partition, p.offset]).sort(), [
    [0, "7"],
    [1, "3"],
  ]);
  // DescribeGroups is the coordinator's (16 elsewhere); ListGroups elsewhere lists nothing.
  const other = await RawClient.connect(cluster.nodes.find((n) => n.port !== coordinatorPort)!.port);
  defer(t, () => other.close());
  const described = (port: RawClient) =>
    port.request(ApiKey.DescribeGroups, 2, { groups: ["path"] }) as Promise<{
      groups: Array<{ errorCode: number; groupState: string }>;
    }>;
  assert.equal((await described(other)).groups[0]!.errorCode, 16, "NOT_COORDINATOR");
  assert.equal((await described(coordinator)).groups[0]!.errorCode, 0);
  assert.deepEqual(await other.request(ApiKey.ListGroups, 2, {}), {
    throttleTimeMs: 0,
    errorCode: 0,
    groups: [],
  });
  // A client cannot append to the offsets topic (Kafka: "Cannot append to internal topic"): the
  // next coordinator to load would replay its record as group state.
  const forged = (await coordinator.request(ApiKey.Produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [
      {
        name: "__consumer_offsets",
        partitionData: [
          { index: 0, records: buildBatch([{ key: Buffer.from("k"), value: Buffer.from("x") }]) },
        ],
      },
    ],
  })) as { responses: Array<{ partitionResponses: Array<{ errorCode: number }> }> };
  assert.equal(forged.responses[0]!.partitionResponses[0]!.errorCode, 17, "INVALID_TOPIC_EXCEPTION");
  assert.equal((await offsetsLogOf(coordinatorPort)).length, 2, "nothing appended to the offsets partition");
  // A deleted topic takes its committed offsets with it: a topic created again under its name
  // starts with none (the coordinator appends tombstones when its metadata drops the topic).
  await admin.deleteTopics({ topics: ["p"] });
  await admin.createTopics({ topics: [{ topic: "p", numPartitions: 2, replicationFactor: 3 }] });
  await waitFor(
    async () => {
      const r = await admin.fetchOffsets({ groupId: "path", topics: ["p"] });
      return r[0]!.partitions.every((p) => p.offset === "-1");
    },
    5000,
    "the deleted topic's offsets to go",
  );
  const tombstones = (await offsetsLogOf(cluster.nodes[0]!.port)).filter((r) => r.offset === -1);
  assert.equal(tombstones.length, 2, "one tombstone per committed partition of the deleted topic");
});

test("committed offsets survive kill -9 of the group coordinator", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const kafka = kafkaOn(cluster.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: "g", numPartitions: 3, replicationFactor: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({
    topic: "g",
    acks: -1,
    messages: Array.from({ length: 60 }, (_, i) => ({ key: `${i}`, value: `old-${i}` })),
  });

  const c1 = testConsumer(kafka, "grp");
  await c1.connect();
  await c1.subscribe({ topic: "g", fromBeginning: true });
  const first = new Set<string>();
  await c1.run({ eachMessage: async ({ message }) => void first.add(message.value!.toString()) });
  await waitFor(() => first.size === 60, 20_000, "the first consumer to read all 60");
  await c1.disconnect(); // commits on the way out

  const coordinator = (await admin.fetchTopicMetadata({ topics: ["__consumer_offsets"] })).topics[0]!
    .partitions[0]!.leader;
  await cluster.node(coordinator).stop("SIGKILL");
  await waitFor(
    async () =>
      (await admin.fetchTopicMetadata({ topics: ["__consumer_offsets"] })).topics[0]!.partitions[0]!
        .leader !== coordinator,
    10_000,
    "the coordinator to move",
  );

  const c2 = testConsumer(kafka, "grp");
  await c2.connect();
  defer(t, () => c2.disconnect());
  await c2.subscribe({ topic: "g", fromBeginning: true });
  const second: string[] = [];
  await c2.run({ eachMessage: async ({ message }) => void second.push(message.value!.toString()) });
  await producer.send({
    topic: "g",
    acks: -1,
    messages: Array.from({ length: 10 }, (_, i) => ({ key: `${i}`, value: `new-${i}` })),
  });
  await waitFor(() => second.filter((v) => v.startsWith("new-")).length === 10, 20_000, "the new records");
  assert.deepEqual(
    second.filter((v) => v.startsWith("old-")),
    [],
    "nothing committed before the coordinator died is read again",
  );

  // DeleteGroups (kafkajs admin) at the new coordinator: refused while the group has a member
  // (NON_EMPTY_GROUP), done once it is empty, and every replica holds the offsets' tombstones.
  await assert.rejects(admin.deleteGroups(["grp"]), (e: { groups?: Array<{ errorCode: number }> }) => {
    assert.equal(e.groups?.[0]?.errorCode, 68);
    return true;
  });
  await c2.disconnect();
  assert.deepEqual(
    (await admin.deleteGroups(["grp"])).map((g) => [g.groupId, g.errorCode]),
    [["grp", 0]],
  );
  const after = await admin.fetchOffsets({ groupId: "grp", topics: ["g"] });
  assert.deepEqual(
    after[0]!.partitions.map((p) => p.offset),
    ["-1", "-1", "-1"],
  );
  for (const n of cluster.nodes.filter((x) => x.id !== coordinator)) {
    const last = new Map<number, number>();
    for (const r of await offsetsLogOf(n.port)) if (r.group === "grp") last.set(r.partition, r.offset);
    assert.deepEqual([...last.values()], [-1, -1, -1], `broker ${n.id}'s replica ends with tombstones`);
  }
});

test("SIGTERM on a leader: leadership moves before the broker exits; writes continue", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const kafka = kafkaOn(cluster.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: "s", numPartitions: 1, replicationFactor: 3 }] });
  const leader = (await admin.fetchTopicMetadata({ topics: ["s"] })).topics[0]!.partitions[0]!.leader;
  const node = cluster.node(leader);
  await node.stop("SIGTERM");
  assert.match(node.stderr, /controlled shutdown: moving leadership away/);
  // The move was committed before exit: Metadata already names another leader, no session timeout needed.
  const md = (await admin.fetchTopicMetadata({ topics: ["s"] })).topics[0]!.partitions[0]!;
  assert.notEqual(md.leader, leader);
  assert.ok(!md.isr.includes(leader));
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const r = await producer.send({ topic: "s", acks: -1, messages: [{ value: "after" }] });
  assert.equal(r[0]!.errorCode, 0);
});
