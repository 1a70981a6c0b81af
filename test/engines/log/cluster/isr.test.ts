/**
 * The ISR rules on a real 3-broker cluster, through the raw protocol so error codes are visible:
 * stalled followers make acks=all time out (7), then leave the ISR, after which acks=all is
 * refused (19) and acks=1 writes stay invisible (the HW waits for min.insync.replicas); when the
 * followers return they catch up, rejoin and the HW moves. Unclean election: a stale replica leads,
 * the old leader truncates its uncommitted tail on return, and every replica ends identical.
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

async function client(t: { after: (f: () => unknown) => void }, port: number) {
  const c = await RawClient.connect(port);
  defer(t, () => c.close());
  return {
    call: (k: number, v: number, b: Record<string, unknown>) => c.request(k, v, b) as Promise<Any>,
    c,
  };
}

const produce = (acks: number, value: string, timeoutMs = 3000) => ({
  transactionalId: null,
  acks,
  timeoutMs,
  topicData: [
    { name: "", partitionData: [{ index: 0, records: buildBatch([{ value: Buffer.from(value) }]) }] },
  ],
});

function produceTo(topic: string, acks: number, value: string, timeoutMs = 3000) {
  const b = produce(acks, value, timeoutMs);
  b.topicData[0]!.name = topic;
  return b;
}

async function latest(
  call: (k: number, v: number, b: Record<string, unknown>) => Promise<Any>,
  topic: string,
) {
  const r = await call(ApiKey.ListOffsets, 3, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
  });
  return Number(r.topics[0].partitions[0].offset);
}

async function createTopic(port: number, t: { after: (f: () => unknown) => void }, name: string) {
  const { call } = await client(t, port);
  const r = await call(ApiKey.CreateTopics, 3, {
    topics: [{ name, numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  assert.equal(r.topics[0].errorCode, 0);
}

test("stalled followers: acks=all times out (7), the ISR shrinks, then 19; HW holds acks=1 writes until they return", async (t) => {
  const cluster = await spawnCluster(
    t,
    tempDir(t),
    3,
    { ...fastCluster, "replica.lag.time.max.ms": "1000" },
    1,
  );
  await createTopic(cluster.nodes[0]!.port, t, "i");
  const p0 = await partitionState(cluster, "i");
  const leader = cluster.node(p0.leaderId);
  const followers = cluster.nodes.filter((n) => n !== leader);
  const { call } = await client(t, leader.port);
  let r = await call(ApiKey.Produce, 7, produceTo("i", -1, "committed"));
  assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
  assert.equal(await latest(call, "i"), 1);

  for (const f of followers) f.pause();
  defer(t, () => {
    for (const f of followers) f.resume();
  });
  r = await call(ApiKey.Produce, 7, produceTo("i", -1, "times-out", 300));
  assert.equal(r.responses[0].partitionResponses[0].errorCode, 7, "REQUEST_TIMED_OUT while followers stall");
  await waitFor(
    async () => (await partitionState(cluster, "i")).isrNodes.length === 1,
    10_000,
    "ISR to shrink to the leader",
  );
  r = await call(ApiKey.Produce, 7, produceTo("i", -1, "refused"));
  assert.equal(r.responses[0].partitionResponses[0].errorCode, 19, "NOT_ENOUGH_REPLICAS");
  r = await call(ApiKey.Produce, 7, produceTo("i", 1, "acks1"));
  assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
  // Offsets 1 (timed out) and 2 (acks=1) are in the leader's log but not committed.
  assert.equal(await latest(call, "i"), 1, "HW held while the ISR is below min.insync.replicas");

  for (const f of followers) f.resume();
  await waitFor(
    async () => (await partitionState(cluster, "i")).isrNodes.length === 3,
    15_000,
    "ISR to expand again",
  );
  await waitFor(async () => (await latest(call, "i")) === 3, 5000, "HW to cover every appended record");
  await waitFor(
    async () => {
      const dumps = await Promise.all(cluster.nodes.map((n) => dumpReplica("127.0.0.1", n.port, "i", 0)));
      return dumps.every((d) => d.batches.length === 3);
    },
    5000,
    "followers to hold all three batches",
  );
});

test("unclean election: a stale replica leads, the old leader truncates its tail on return, replicas end identical", async (t) => {
  const cluster = await spawnCluster(
    t,
    tempDir(t),
    3,
    {
      ...fastCluster,
      "replica.lag.time.max.ms": "1000",
      "unclean.leader.election.enable": "true",
    },
    1,
  );
  await createTopic(cluster.nodes[0]!.port, t, "u");
  const p0 = await partitionState(cluster, "u");
  const oldLeader = cluster.node(p0.leaderId);
  const followers = cluster.nodes.filter((n) => n !== oldLeader);
  {
    const { call, c } = await client(t, oldLeader.port);
    for (let i = 0; i < 3; i++) {
      const r = await call(ApiKey.Produce, 7, produceTo("u", -1, `c${i}`));
      assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
    }
    for (const f of followers) f.pause();
    await waitFor(
      async () => (await partitionState(cluster, "u")).isrNodes.length === 1,
      10_000,
      "ISR = {leader}",
    );
    for (let i = 0; i < 2; i++) {
      const r = await call(ApiKey.Produce, 7, produceTo("u", 1, `lost${i}`));
      assert.equal(r.responses[0].partitionResponses[0].errorCode, 0, "acks=1 accepted by the lone leader");
    }
    c.close();
  }
  await oldLeader.stop("SIGKILL");
  for (const f of followers) f.resume();
  await waitFor(
    async () => {
      const p = await partitionState(cluster, "u");
      return p.leaderId >= 0 && p.leaderId !== oldLeader.id;
    },
    10_000,
    "an unclean leader",
  );
  const p1 = await partitionState(cluster, "u");
  // Elected alone (ISR = {itself}); the other stale follower may already have rejoined it.
  assert.ok(p1.isrNodes.includes(p1.leaderId) && !p1.isrNodes.includes(oldLeader.id));
  {
    const { call } = await client(t, cluster.node(p1.leaderId).port);
    await waitFor(
      async () => (await partitionState(cluster, "u")).isrNodes.length === 2,
      10_000,
      "the other follower to rejoin",
    );
    const r = await call(ApiKey.Produce, 7, produceTo("u", -1, "new"));
    assert.equal(r.responses[0].partitionResponses[0].errorCode, 0);
    assert.equal(
      Number(r.responses[0].partitionResponses[0].baseOffset),
      3,
      "the new leader writes over the lost offsets",
    );
  }
  await oldLeader.start();
  await waitFor(
    async () => (await partitionState(cluster, "u")).isrNodes.length === 3,
    15_000,
    "the old leader to rejoin",
  );
  const hw = (await dumpReplica("127.0.0.1", cluster.node(p1.leaderId).port, "u", 0)).highWatermark;
  assert.equal(hw, 4);
  await waitFor(
    async () => {
      const dumps = await Promise.all(cluster.nodes.map((n) => dumpReplica("127.0.0.1", n.port, "u", 0)));
      return (
        checkReplicaDivergence(
          "u-0",
          hw,
          dumps.map((d, i) => ({ broker: `broker-${i + 1}`, batches: d.batches })),
        ).ok && dumps.every((d) => d.logEndOffset === 4)
      );
    },
    5000,
    "identical replicas with the lost tail truncated",
  );
  assert.match(oldLeader.stderr, /truncating 2 record\(s\) from 3/);
});
