/**
 * Preferred-leader election on real clusters of broker processes.
 *
 * ElectLeaders (raw protocol: none of our clients has it) on three brokers and one dedicated
 * controller, with the auto rebalance off: a broker restarted by SIGTERM rejoins the ISR but gets
 * its leadership back only when asked (v0); then the error codes — ELECTION_NOT_NEEDED (84),
 * PREFERRED_LEADER_NOT_AVAILABLE (80), UNKNOWN_TOPIC_OR_PARTITION (3), ELIGIBLE_LEADERS_NOT_AVAILABLE
 * (83), an unknown election type (42) — and an unclean election (v2, type 1) of an offline
 * partition whose only ISR member is down.
 *
 * The auto rebalance on three combined brokers under kafkajs acks=all load: after a broker's
 * restart its leaderships come back within a check interval of it rejoining the ISR, each at a
 * new leader epoch, and every acked record is read back.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { fastCluster, spawnCluster, type TestCluster } from "../helpers/cluster.ts";
import { testConsumer, waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers are checked field by field
type Any = Record<string, any>;

async function raw(port: number, key: number, version: number, body: Record<string, unknown>): Promise<Any> {
  const c = await RawClient.connect(port);
  try {
    return (await c.request(key, version, body)) as Any;
  } finally {
    c.close();
  }
}

/** Every partition of `topic` as a running broker's Metadata shows it, by index. */
async function partitionsOf(cluster: TestCluster, topic: string): Promise<Any[]> {
  for (const n of cluster.nodes) {
    if (!n.proc || n.proc.exitCode !== null || n.proc.signalCode !== null) continue;
    try {
      const md = await raw(n.port, ApiKey.Metadata, 7, {
        topics: [{ name: topic }],
        allowAutoTopicCreation: false,
      });
      return [...md.topics[0].partitions].sort((a: Any, b: Any) => a.partitionIndex - b.partitionIndex);
    } catch {
      // restarting: ask the next one
    }
  }
  throw new Error("no broker answered Metadata");
}

const codes = (r: Any) =>
  r.replicaElectionResults.map((t: Any) => [
    t.topic,
    t.partitionResult.map((p: Any) => [p.partitionId, p.errorCode]),
  ]);

const kafkaOf = (cluster: TestCluster, clientId: string) =>
  new Kafka({
    clientId,
    brokers: cluster.bootstrap,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 12 },
  });

test("ElectLeaders: a restarted broker's leadership returns only when asked (auto rebalance off); error codes; unclean election", async (t) => {
  const cluster = await spawnCluster(
    t,
    tempDir(t),
    3,
    {
      ...fastCluster,
      "auto.leader.rebalance.enable": "false",
      "leader.imbalance.check.interval.seconds": "1",
    },
    1,
  );
  const admin = kafkaOf(cluster, "elect-test").admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic: "pref",
        replicaAssignment: [
          { partition: 0, replicas: [1, 2, 3] },
          { partition: 1, replicas: [2, 3, 1] },
          { partition: 2, replicas: [3, 1, 2] },
        ],
      },
      { topic: "frail", replicaAssignment: [{ partition: 0, replicas: [3, 2] }] },
    ],
    waitForLeaders: true,
  });
  const before = (await partitionsOf(cluster, "pref"))[0]!;
  assert.equal(before.leaderId, 1);

  // SIGTERM: controlled shutdown moves partition 0 to broker 2; broker 1 returns and rejoins the ISR.
  await cluster.node(1).stop("SIGTERM");
  await cluster.node(1).start();
  await waitFor(
    async () => (await partitionsOf(cluster, "pref"))[0]!.isrNodes.includes(1),
    15_000,
    "broker 1 to rejoin partition 0's ISR",
  );
  // With the auto rebalance off, three check intervals change nothing.
  await new Promise((r) => setTimeout(r, 3000));
  const moved = (await partitionsOf(cluster, "pref"))[0]!;
  assert.equal(moved.leaderId, 2, "the auto rebalance is off: broker 2 keeps partition 0");

  // v0 (preferred only): partition 0 goes back to broker 1 at a new epoch, partition 1 needs nothing.
  const via = cluster.node(3).port;
  const v0 = await raw(via, ApiKey.ElectLeaders, 0, {
    topicPartitions: [{ topic: "pref", partitions: [0, 1] }],
    timeoutMs: 5000,
  });
  assert.deepEqual(codes(v0), [
    [
      "pref",
      [
        [0, 0],
        [1, 84],
      ],
    ],
  ]);
  const back = (await partitionsOf(cluster, "pref"))[0]!;
  assert.equal(back.leaderId, 1);
  assert.equal(back.leaderEpoch, moved.leaderEpoch + 1);
  assert.deepEqual([...back.isrNodes].sort(), [1, 2, 3]);

  // Errors: not needed, unknown topic and partition, an unknown type; v2 is the flexible layout.
  const v2 = await raw(via, ApiKey.ElectLeaders, 2, {
    electionType: 0,
    topicPartitions: [
      { topic: "pref", partitions: [0, 9] },
      { topic: "ghost", partitions: [0] },
    ],
    timeoutMs: 5000,
  });
  assert.equal(v2.errorCode, 0);
  assert.deepEqual(codes(v2), [
    [
      "pref",
      [
        [0, 84],
        [9, 3],
      ],
    ],
    ["ghost", [[0, 3]]],
  ]);
  const badType = await raw(via, ApiKey.ElectLeaders, 1, {
    electionType: 2,
    topicPartitions: [{ topic: "pref", partitions: [0] }],
    timeoutMs: 5000,
  });
  assert.equal(badType.errorCode, 42);
  // Everything (null) is balanced now: nothing to report.
  const all = await raw(via, ApiKey.ElectLeaders, 1, {
    electionType: 0,
    topicPartitions: null,
    timeoutMs: 5000,
  });
  assert.deepEqual(codes(all), [
    ["frail", []],
    ["pref", []],
  ]);

  // Broker 3 down: partition 2's preferred replica is not live (80); unclean with a leader: 84.
  await cluster.node(3).stop("SIGTERM");
  const down = await raw(cluster.node(1).port, ApiKey.ElectLeaders, 1, {
    electionType: 0,
    topicPartitions: [{ topic: "pref", partitions: [2] }],
    timeoutMs: 5000,
  });
  assert.deepEqual(codes(down), [["pref", [[2, 80]]]]);
  assert.equal(
    down.replicaElectionResults[0].partitionResult[0].errorMessage,
    "the preferred replica 3 is not live",
  );
  const led = await raw(cluster.node(1).port, ApiKey.ElectLeaders, 1, {
    electionType: 1,
    topicPartitions: [{ topic: "pref", partitions: [2] }],
    timeoutMs: 5000,
  });
  assert.deepEqual(codes(led), [["pref", [[2, 84]]]]);

  // frail-0 (replicas 3, 2): broker 3 left its ISR; broker 2, the last ISR member, stops too:
  // offline with no live replica (83). Broker 3 returns, out of sync: only an unclean election
  // (asked for explicitly) lets it lead, with an ISR of itself.
  await cluster.node(2).stop("SIGTERM");
  const frail = (await partitionsOf(cluster, "frail"))[0]!;
  assert.equal(frail.leaderId, -1);
  assert.deepEqual(frail.isrNodes, [2]);
  const none = await raw(cluster.node(1).port, ApiKey.ElectLeaders, 2, {
    electionType: 1,
    topicPartitions: [{ topic: "frail", partitions: [0] }],
    timeoutMs: 5000,
  });
  assert.deepEqual(codes(none), [["frail", [[0, 83]]]]);
  await cluster.node(3).start();
  assert.equal((await partitionsOf(cluster, "frail"))[0]!.leaderId, -1, "no clean leader without broker 2");
  const unclean = await raw(cluster.node(3).port, ApiKey.ElectLeaders, 2, {
    electionType: 1,
    topicPartitions: [{ topic: "frail", partitions: [0] }],
    timeoutMs: 5000,
  });
  assert.deepEqual(codes(unclean), [["frail", [[0, 0]]]]);
  const after = (await partitionsOf(cluster, "frail"))[0]!;
  assert.equal(after.leaderId, 3);
  assert.deepEqual(after.isrNodes, [3]);
  assert.ok(after.leaderEpoch > frail.leaderEpoch);
});

test("auto leader rebalance: a restarted broker leads its preferred partitions again under acks=all load, nothing acked lost", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, {
    ...fastCluster,
    "leader.imbalance.check.interval.seconds": "1",
  });
  const kafka = kafkaOf(cluster, "rebalance-test");
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const topic = "bal";
  const assignment = [
    [1, 2, 3],
    [2, 3, 1],
    [3, 1, 2],
    [1, 3, 2],
    [2, 1, 3],
    [3, 2, 1],
  ];
  await admin.createTopics({
    topics: [
      { topic, replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas })) },
    ],
    waitForLeaders: true,
  });
  const leaders = async () => (await partitionsOf(cluster, topic)).map((p) => p.leaderId as number);
  const preferred = assignment.map((r) => r[0]);
  assert.deepEqual(await leaders(), preferred);

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
  const load = (async () => {
    while (sending) {
      const values = Array.from({ length: 12 }, () => String(seq++));
      try {
        const md = await producer.send({
          topic,
          acks: -1,
          timeout: 3000,
          messages: values.map((value, i) => ({ value, partition: i % 6 })),
        });
        // Only partitions the answer names were acked (kafkajs 2.2.4, engines/log/README.md).
        const ok = new Set(md.filter((m) => m.errorCode === 0).map((m) => m.partition));
        values.forEach((v, i) => {
          if (ok.has(i % 6)) acked.add(v);
        });
      } catch {
        // not acked: not expected
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await waitFor(() => acked.size > 300, 20_000, "some acked writes");

  const epochsBefore = (await partitionsOf(cluster, topic)).map((p) => p.leaderEpoch as number);
  await cluster.node(1).stop("SIGTERM");
  assert.ok(!(await leaders()).includes(1), "controlled shutdown moved broker 1's leaderships");
  const restartedAt = Date.now();
  await cluster.node(1).start();
  const readyAt = Date.now();
  await waitFor(
    async () => (await leaders()).join() === preferred.join(),
    15_000,
    "every partition to be led by its preferred replica again",
  );
  const balancedAt = Date.now();
  const epochsAfter = (await partitionsOf(cluster, topic)).map((p) => p.leaderEpoch as number);
  // Broker 1's partitions moved away and back (two new epochs); the others did not move.
  assert.deepEqual(
    epochsAfter.map((e, i) => e - epochsBefore[i]!),
    [2, 0, 0, 2, 0, 0],
  );
  assert.match(
    cluster.nodes.map((n) => n.stderr).join(""),
    /bal-0: preferred leader 1 back \(auto rebalance\)/,
  );
  const ackedAtBalance = acked.size;
  await waitFor(() => acked.size > ackedAtBalance + 300, 20_000, "acked writes after the rebalance");
  sending = false;
  await load;

  const consumer = testConsumer(kafka, "rebalance-check");
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
    `balanced ${balancedAt - restartedAt} ms after the restart began (${balancedAt - readyAt} ms after broker 1 was ready); ${acked.size} acked records all consumed`,
  );
});
