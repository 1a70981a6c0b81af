/**
 * Partition reassignment (KIP-455) on a real 4-broker cluster, driven by kafkajs 2.2.4's admin
 * (alterPartitionReassignments / listPartitionReassignments) while a kafkajs producer writes with
 * acks=all: a partition on brokers 1–3 moves to 4,2,3 (its leader, broker 1, is removed). Broker 4
 * is down when the move starts, so it stays in progress (listed, cancellable) through a kill -9 of
 * the active controller; once broker 4 returns it catches up, joins the ISR, the move completes
 * (replicas = target, a new leader at a new epoch), broker 1 deletes its copy and every acked
 * record is still there. Errors: INVALID_REPLICA_ASSIGNMENT (39), UNKNOWN_TOPIC_OR_PARTITION (3),
 * NO_REASSIGNMENT_IN_PROGRESS (85, through the raw protocol: kafkajs cannot send a cancel).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { dumpReplica } from "../../../../engines/log/tools/replica-dump.ts";
import { fastCluster, spawnCluster, type TestCluster } from "../helpers/cluster.ts";
import { testConsumer, waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers are checked field by field
type Any = Record<string, any>;

async function raw(port: number, key: number, body: Record<string, unknown>): Promise<Any> {
  const c = await RawClient.connect(port);
  try {
    return (await c.request(key, 0, body)) as Any;
  } finally {
    c.close();
  }
}

async function partitionsOf(cluster: TestCluster, topic: string, via = 2): Promise<Any[]> {
  const c = await RawClient.connect(cluster.node(via).port);
  try {
    const md = (await c.request(ApiKey.Metadata, 7, {
      topics: [{ name: topic }],
      allowAutoTopicCreation: false,
    })) as Any;
    return [...md.topics[0].partitions].sort((a: Any, b: Any) => a.partitionIndex - b.partitionIndex);
  } finally {
    c.close();
  }
}

const activeController = (cluster: TestCluster) =>
  cluster.nodes
    .map((n) => ({
      n,
      term: Math.max(
        -1,
        ...[...n.stderr.matchAll(/active controller \(term (\d+)\)/g)].map((m) => Number(m[1])),
      ),
    }))
    .sort((a, b) => b.term - a.term)[0]!.n;

test("reassignment: a partition moves onto a new broker under acks=all load, through a controller kill, losing nothing", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 4, fastCluster);
  const kafka = new Kafka({
    clientId: "reassign-test",
    brokers: cluster.bootstrap.slice(1, 3),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 12 },
  });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const topic = "moving";
  await admin.createTopics({
    topics: [
      {
        topic,
        replicaAssignment: [
          { partition: 0, replicas: [1, 2, 3] },
          { partition: 1, replicas: [2, 3, 1] },
        ],
      },
    ],
    waitForLeaders: true,
  });
  const before = await partitionsOf(cluster, topic);
  assert.equal(before[0]!.leaderId, 1);

  // Load: acks=all writes to both partitions for the whole test; only acked ones are expected.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    retry: { retries: 20, initialRetryTime: 100 },
  });
  await producer.connect();
  defer(t, () => producer.disconnect());
  const acked = new Set<string>();
  let sending = true;
  defer(t, () => {
    sending = false;
  });
  let seq = 0;
  let unnamed = 0;
  const load = (async () => {
    while (sending) {
      const values = Array.from({ length: 10 }, () => String(seq++));
      try {
        const md = await producer.send({
          topic,
          acks: -1,
          timeout: 3000,
          messages: values.map((value, i) => ({ value, partition: i % 2 })),
        });
        // Only partitions the answer names were acked: kafkajs 2.2.4 can resolve a send to a
        // broker it confused with another without sending those partitions (engines/log/README.md).
        const ok = new Set(md.filter((m) => m.errorCode === 0).map((m) => m.partition));
        if (ok.size < 2) unnamed++;
        values.forEach((v, i) => {
          if (ok.has(i % 2)) acked.add(v);
        });
      } catch {
        // not acked: not expected
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  // Broker 4 is down (registered, fenced): the move cannot finish yet.
  await cluster.node(4).stop("SIGTERM");
  await waitFor(async () => acked.size > 200, 20_000, "some acked writes");
  await admin.alterPartitionReassignments({
    topics: [
      {
        topic,
        partitionAssignment: [
          { partition: 0, replicas: [4, 2, 3] },
          { partition: 1, replicas: [2, 3, 4] },
        ],
      },
    ],
  });
  const listed = await admin.listPartitionReassignments({});
  assert.deepEqual(
    listed.topics.map((x: Any) => ({ name: x.name, partitions: x.partitions })),
    [
      {
        name: topic,
        partitions: [
          { partition: 0, replicas: [4, 2, 3, 1], addingReplicas: [4], removingReplicas: [1] },
          { partition: 1, replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] },
        ],
      },
    ],
  );

  // Bad requests name the problem per partition; a cancel reverts partition 1 (raw: kafkajs has no cancel).
  await assert.rejects(
    admin.alterPartitionReassignments({
      topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 2] }] }],
    }),
    (e: Any) => e.errors?.[0]?.type === "INVALID_REPLICA_ASSIGNMENT",
  );
  const alter = (topics: unknown) =>
    raw(cluster.node(2).port, ApiKey.AlterPartitionReassignments, { timeoutMs: 5000, topics });
  const bad = await alter([
    { name: "no-such-topic", partitions: [{ partitionIndex: 0, replicas: [1] }] },
    {
      name: topic,
      partitions: [
        { partitionIndex: 9, replicas: [1] },
        { partitionIndex: 0, replicas: [1, 7] },
      ],
    },
  ]);
  assert.deepEqual(
    bad.responses.flatMap((x: Any) => x.partitions.map((p: Any) => [p.errorCode, p.errorMessage])),
    [
      [3, "topic no-such-topic does not exist"],
      [3, `partition 9 of topic ${topic} does not exist`],
      [39, "broker(s) 7 are not registered"],
    ],
  );
  const cancel = await alter([{ name: topic, partitions: [{ partitionIndex: 1, replicas: null }] }]);
  assert.equal(cancel.responses[0].partitions[0].errorCode, 0);
  const again = await alter([{ name: topic, partitions: [{ partitionIndex: 1, replicas: null }] }]);
  assert.equal(again.responses[0].partitions[0].errorCode, 85);
  const p1 = (await partitionsOf(cluster, topic))[1]!;
  assert.deepEqual(p1.replicaNodes, [2, 3, 1]);

  // The reassignment lives in the replicated metadata image: it survives the active controller.
  const victim = activeController(cluster);
  await victim.stop("SIGKILL");
  const survivor = cluster.nodes.find((n) => n !== victim && n.id !== 4)!;
  await waitFor(
    async () => {
      const r = await raw(survivor.port, ApiKey.ListPartitionReassignments, {
        timeoutMs: 3000,
        topics: null,
      });
      return r.errorCode === 0 && r.topics[0]?.partitions[0]?.addingReplicas?.[0] === 4;
    },
    15_000,
    "the new active controller to list the move in progress",
  );
  await victim.start();

  // Broker 4 returns, catches up under load, joins the ISR; the move completes.
  const start = Date.now();
  await cluster.node(4).start();
  await waitFor(
    async () => (await admin.listPartitionReassignments({})).topics.length === 0,
    30_000,
    "the move to complete",
  );
  const tookMs = Date.now() - start;
  const p0 = (await partitionsOf(cluster, topic, 4))[0]!;
  assert.deepEqual(p0.replicaNodes, [4, 2, 3]);
  assert.ok([4, 2, 3].includes(p0.leaderId), `leader ${p0.leaderId}`);
  assert.ok(p0.isrNodes.includes(4), `isr [${p0.isrNodes}]`);
  assert.ok(p0.leaderEpoch > before[0]!.leaderEpoch, `epoch ${before[0]!.leaderEpoch} → ${p0.leaderEpoch}`);
  await waitFor(async () => acked.size > seq / 2 + 100, 20_000, "more acked writes after the move");
  sending = false;
  await load;

  // Broker 1 no longer holds partition 0; broker 4 holds the same batches as the leader.
  await waitFor(
    async () => (await dumpReplica("127.0.0.1", cluster.node(1).port, topic, 0)).batches.length === 0,
    10_000,
    "broker 1 to delete its copy of partition 0",
  );
  const lead = await dumpReplica("127.0.0.1", cluster.node(p0.leaderId).port, topic, 0);
  await waitFor(
    async () =>
      (await dumpReplica("127.0.0.1", cluster.node(4).port, topic, 0)).batches.length >= lead.batches.length,
    10_000,
    "broker 4 to hold the leader's batches",
  );

  // Every acked record is readable.
  const consumer = testConsumer(kafka, "reassign-check");
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set<string>();
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.add(message.value!.toString());
    },
  });
  await waitFor(
    () => [...acked].every((v) => seen.has(v)),
    30_000,
    "every acked record to be consumed",
  ).catch(() => {
    const lost = [...acked].filter((v) => !seen.has(v));
    assert.fail(`${lost.length} of ${acked.size} acked records lost, e.g. ${lost.slice(0, 5)}`);
  });
  t.diagnostic(
    `move completed ${tookMs} ms after broker 4 started; ${acked.size} acked records all consumed; ${unnamed} send(s) answered without naming both partitions`,
  );
});
