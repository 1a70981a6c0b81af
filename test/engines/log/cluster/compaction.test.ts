/**
 * Log compaction on a 3-broker cluster. The offsets partition is compacted: after many commits of
 * the same group and partitions, every replica's cleaner shrinks its copy to about one commit per
 * key plus the active segment, and after kill -9 of the coordinator its successor loads the last
 * committed offsets from its own compacted replica. A user topic with cleanup.policy=compact:
 * replicas clean on their own (different bytes below the HW), yet the replica divergence check
 * — which compares compacted partitions by each key's last value — passes, and followers that
 * fetch across the leader's gaps converge.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { dumpReplica } from "../../../../engines/log/tools/replica-dump.ts";
import { checkReplicaDivergence } from "../../../../harness/checkers/replica-divergence.ts";
import { fastCluster, spawnCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

const kafkaOn = (brokers: string[]) =>
  new Kafka({
    clientId: "compaction-test",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 20 },
  });

const compactCluster = {
  ...fastCluster,
  "offsets.topic.segment.bytes": "8192",
  "log.cleaner.backoff.ms": "250",
};

async function coordinatorPort(client: RawClient, group: string): Promise<number> {
  let port = -1;
  await waitFor(
    async () => {
      const r = (await client.request(ApiKey.FindCoordinator, 2, { key: group, keyType: 0 })) as {
        errorCode: number;
        port: number;
      };
      port = r.port;
      return r.errorCode === 0;
    },
    10_000,
    "a group coordinator",
  );
  return port;
}

test("the offsets partition is compacted on every replica; a new coordinator loads the last commits", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, compactCluster);
  const kafka = kafkaOn(cluster.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: "p", numPartitions: 4, replicationFactor: 3 }] });
  const bootstrap = await RawClient.connect(cluster.nodes[0]!.port);
  defer(t, () => bootstrap.close());
  const coordinator = await RawClient.connect(await coordinatorPort(bootstrap, "g"));
  defer(t, () => coordinator.close());
  const commits = 1500;
  for (let i = 1; i <= commits; i++) {
    for (;;) {
      const r = (await coordinator.request(ApiKey.OffsetCommit, 7, {
        groupId: "g",
        generationId: -1,
        memberId: "",
        groupInstanceId: null,
        topics: [
          {
            name: "p",
            partitions: [0, 1, 2, 3].map((p) => ({
              partitionIndex: p,
              committedOffset: i * 10 + p,
              committedMetadata: null,
            })),
          },
        ],
      })) as { topics: Array<{ partitions: Array<{ errorCode: number }> }> };
      const codes = r.topics[0]!.partitions.map((p) => p.errorCode);
      if (codes.every((c) => c === 0)) break;
      // 14: the new coordinator is still loading (first commit only).
      assert.ok(codes.every((c) => c === 14) && i === 1, `commit ${i}: ${codes}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const md = (await admin.fetchTopicMetadata({ topics: ["__consumer_offsets"] })).topics[0]!.partitions[0]!;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: "__consumer_offsets", configNames: ["cleanup.policy", "segment.bytes"] }],
  });
  assert.deepEqual(
    Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue])),
    { "cleanup.policy": "compact", "segment.bytes": "8192" },
  );
  // Each replica cleans on its own; wait for all three to hold a small fraction of the commits.
  const counts = new Map<number, number>();
  await waitFor(
    async () => {
      for (const n of cluster.nodes) {
        const d = await dumpReplica("127.0.0.1", n.port, "__consumer_offsets", 0);
        counts.set(n.id, d.batches.length);
      }
      return [...counts.values()].every((c) => c < commits / 10);
    },
    20_000,
    "every replica of __consumer_offsets-0 to be compacted",
  );
  for (const n of cluster.nodes) assert.match(n.stderr, /cleaned __consumer_offsets-0/);
  const fetchAll = async () =>
    (await admin.fetchOffsets({ groupId: "g", topics: ["p"] }))[0]!.partitions
      .map((p) => [p.partition, p.offset])
      .sort();
  const last = [0, 1, 2, 3].map((p) => [p, String(commits * 10 + p)]);
  assert.deepEqual(await fetchAll(), last);

  await cluster.node(md.leader).stop("SIGKILL");
  let successor = -1;
  await waitFor(
    async () => {
      successor = (await admin.fetchTopicMetadata({ topics: ["__consumer_offsets"] })).topics[0]!
        .partitions[0]!.leader;
      return successor !== md.leader && successor > 0;
    },
    10_000,
    "the coordinator to move",
  );
  await waitFor(
    async () => {
      try {
        return JSON.stringify(await fetchAll()) === JSON.stringify(last);
      } catch {
        return false;
      }
    },
    15_000,
    "the new coordinator to answer the last committed offsets",
  );
  // It replayed its compacted replica: a few batches, not 1,500 commits.
  const loaded =
    /loaded 4 committed offsets of 1 groups and \d+ group records \(\d+ members\) from the offsets log \[0, (\d+)\) in (\d+) ms/.exec(
      cluster.node(successor).stderr,
    );
  assert.ok(loaded, cluster.node(successor).stderr.slice(-2000));
  assert.ok(counts.get(successor)! < commits / 10, `successor's replica: ${counts.get(successor)} batches`);
});

test("a compacted user topic: replicas clean independently and still pass the divergence check", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, compactCluster);
  const kafka = kafkaOn(cluster.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic: "c",
        numPartitions: 1,
        replicationFactor: 3,
        configEntries: [
          { name: "cleanup.policy", value: "compact" },
          { name: "segment.bytes", value: "2048" },
          { name: "min.cleanable.dirty.ratio", value: "0.1" },
        ],
      },
    ],
  });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const keys = Array.from({ length: 8 }, (_, i) => `key-${i}`);
  for (let round = 0; round < 60; round++) {
    await producer.send({
      topic: "c",
      acks: -1,
      messages: keys.map((k) => ({ key: k, value: `${k}=${round}` })),
    });
    if (round === 30) {
      // One follower stops for a while: when it returns, the leader may have cleaned what it
      // has not fetched yet, and it must catch up across the gaps.
      const leader = (await admin.fetchTopicMetadata({ topics: ["c"] })).topics[0]!.partitions[0]!.leader;
      const follower = cluster.nodes.find((n) => n.id !== leader)!;
      follower.pause();
      setTimeout(() => follower.resume(), 1500);
    }
  }
  await new Promise((r) => setTimeout(r, 1600));
  const [tail] = await producer.send({
    topic: "c",
    acks: -1,
    messages: [{ key: "tail", value: "x".repeat(2100) }],
  });
  const end = Number(tail!.baseOffset) + 1;
  const dumps = async () =>
    Promise.all(
      cluster.nodes.map(async (n) => {
        const d = await dumpReplica("127.0.0.1", n.port, "c", 0, { records: true });
        return {
          broker: `broker-${n.id}`,
          highWatermark: d.highWatermark,
          logStartOffset: d.logStartOffset,
          batches: d.batches,
          ...(d.records ? { records: d.records } : {}),
        };
      }),
    );
  let replicas = await dumps();
  await waitFor(
    async () => {
      replicas = await dumps();
      return replicas.every((r) => r.highWatermark === end && r.batches.length < 60);
    },
    20_000,
    "every replica to be caught up and compacted",
  );
  const result = checkReplicaDivergence("c-0", end, replicas, { compacted: true });
  assert.equal(result.ok, true, JSON.stringify(result));
  // The last value of every key is there, on every replica.
  for (const r of replicas) {
    const values = new Map<string, string>();
    for (const rec of r.records!)
      if (rec.v !== null) values.set(Buffer.from(rec.k, "base64").toString(), rec.v);
    assert.deepEqual([...values.keys()].sort(), [...keys, "tail"].sort(), r.broker);
  }
  for (const n of cluster.nodes) assert.match(n.stderr, /cleaned c-0/);
});
