/**
 * A follower that falls behind the leader's log start offset (the leader's retention deleted
 * segments it never fetched) on a real 3-broker cluster: paused while the leader writes and
 * deletes, it comes back to OFFSET_OUT_OF_RANGE, resets its log to the leader's log start and
 * rejoins the ISR, and every replica holds the same batches from there to the HW.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { dumpReplica } from "../../../../engines/log/tools/replica-dump.ts";
import { checkReplicaDivergence } from "../../../../harness/checkers/replica-divergence.ts";
import { fastCluster, partitionState, spawnCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers are checked field by field
type Any = Record<string, any>;
type Call = (k: number, v: number, b: Record<string, unknown>) => Promise<Any>;

async function client(t: { after: (f: () => unknown) => void }, port: number): Promise<Call> {
  const c = await RawClient.connect(port);
  defer(t, () => c.close());
  return (k, v, b) => c.request(k, v, b) as Promise<Any>;
}

const produce = (topic: string, value: string) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 5000,
  topicData: [
    {
      name: topic,
      partitionData: [{ index: 0, records: buildBatch([{ value: Buffer.from(value.padEnd(200, ".")) }]) }],
    },
  ],
});

async function earliest(call: Call, topic: string): Promise<number> {
  const r = await call(ApiKey.ListOffsets, 3, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2 }] }],
  });
  return Number(r.topics[0].partitions[0].offset);
}

test("a follower behind the leader's log start offset resets to it and rejoins the ISR", async (t) => {
  const cluster = await spawnCluster(
    t,
    tempDir(t),
    3,
    { ...fastCluster, "replica.lag.time.max.ms": "1000", "log.retention.check.interval.ms": "100" },
    1,
  );
  const topic = "ret";
  const admin = await client(t, cluster.nodes[0]!.port);
  const created = await admin(ApiKey.CreateTopics, 3, {
    topics: [
      {
        name: topic,
        numPartitions: 1,
        replicationFactor: 3,
        assignments: [],
        // About three batches per segment; the leader keeps two segments or so.
        configs: [
          { name: "segment.bytes", value: "1024" },
          { name: "retention.bytes", value: "2048" },
        ],
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  assert.equal(created.topics[0].errorCode, 0);
  const p0 = await partitionState(cluster, topic);
  const leader = cluster.node(p0.leaderId);
  const follower = cluster.nodes.find((n) => n !== leader)!;
  const call = await client(t, leader.port);
  for (let i = 0; i < 3; i++) {
    const r = await call(ApiKey.Produce, 7, produce(topic, `before-${i}`));
    assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
  }
  await waitFor(
    async () => (await dumpReplica("127.0.0.1", follower.port, topic, 0)).logEndOffset === 3,
    5000,
    "the follower to hold the first three batches",
  );

  // Paused, its log ends at 3 while the leader writes on and its retention deletes past that.
  follower.pause();
  defer(t, () => follower.resume());
  await waitFor(
    async () => (await partitionState(cluster, topic)).isrNodes.length === 2,
    10_000,
    "the paused follower to leave the ISR",
  );
  for (let i = 0; i < 30; i++) {
    const r = await call(ApiKey.Produce, 7, produce(topic, `during-${i}`));
    assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
  }
  await waitFor(async () => (await earliest(call, topic)) > 3, 5000, "retention to pass offset 3");
  const leaderStart = await earliest(call, topic);
  // The leader answers the follower's next fetch with OFFSET_OUT_OF_RANGE and its log start.
  const asFollower = await call(ApiKey.Fetch, 11, {
    replicaId: follower.id,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 3,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  });
  const answer = asFollower.responses[0].partitions[0];
  assert.equal(answer.errorCode, 1, "OFFSET_OUT_OF_RANGE");
  assert.equal(Number(answer.logStartOffset), leaderStart);
  assert.ok(Number(answer.highWatermark) >= 33);

  follower.resume();
  await waitFor(
    async () => (await partitionState(cluster, topic)).isrNodes.length === 3,
    10_000,
    "the reset follower to rejoin the ISR",
  );
  assert.match(follower.stderr, /fetch offset 3 is below the leader's log start offset \d+: resetting/);
  const after = await call(ApiKey.Produce, 7, produce(topic, "after"));
  assert.equal(after.responses[0].partitionResponses[0].errorCode, 0, "acks=all with all three replicas");
  const end = Number(after.responses[0].partitionResponses[0].baseOffset) + 1;
  assert.equal(end, 34);

  await waitFor(
    async () => {
      const dumps = await Promise.all(cluster.nodes.map((n) => dumpReplica("127.0.0.1", n.port, topic, 0)));
      const hw = dumps[cluster.nodes.indexOf(leader)]!.highWatermark;
      const mine = dumps[cluster.nodes.indexOf(follower)]!;
      return (
        hw === end &&
        mine.logEndOffset === end &&
        mine.logStartOffset >= leaderStart &&
        mine.batches[0]?.baseOffset === mine.logStartOffset &&
        checkReplicaDivergence(
          `${topic}-0`,
          hw,
          dumps.map((d, i) => ({
            broker: `broker-${i + 1}`,
            logStartOffset: d.logStartOffset,
            batches: d.batches,
          })),
        ).ok
      );
    },
    5000,
    "the reset follower to hold the leader's batches from its log start to the HW",
  );
});
