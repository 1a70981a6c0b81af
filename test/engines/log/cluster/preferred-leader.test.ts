/**
 * Preferred-leader election on real clusters of broker processes.
 *
 * ElectLeaders (raw protocol: none of our clients has it) on three brokers and one dedicated
 * controller, with the auto rebalance off: a broker restarted by SIGTERM rejoins the ISR but gets
 * its leadership back only when asked; while it is paused (live, out of the ISR) the election is
 * refused with PREFERRED_LEADER_NOT_AVAILABLE (80); once it has caught up, v0 elects it under
 * kafkajs acks=all load and every acked record is read back. Then the error codes —
 * ELECTION_NOT_NEEDED (84), 80 for a preferred replica that is down, UNKNOWN_TOPIC_OR_PARTITION
 * (3), ELIGIBLE_LEADERS_NOT_AVAILABLE (83), an unknown election type (42) — and an unclean election (v2, type 1) of an offline
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

/** One raw request; a paused broker never answers, so it gives up after `timeoutMs`. */
async function raw(
  port: number,
  key: number,
  version: number,
  body: Record<string, unknown>,
  timeoutMs = 10_000,
): Promise<Any> {
  const c = await RawClient.connect(port);
  let timer: NodeJS.Timeout | undefined;
  try {
    return (await Promise.race([
      c.request(key, version, body),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from port ${port}`)), timeoutMs);
      }),
    ])) as Any;
  } finally {
    clearTimeout(timer);
    c.close();
  }
}

/**
 * Every partition of `topic` as a running broker's Metadata shows it, by index: broker `first`'s
 * if it answers (another broker's image may not have the latest change yet), else the next one's.
 */
async function partitionsOf(cluster: TestCluster, topic: string, first = 1): Promise<Any[]> {
  const order = [...cluster.nodes].sort((a, b) => Number(b.id === first) - Number(a.id === first));
  for (const n of order) {
    if (!n.proc || n.proc.exitCode !== null || n.proc.signalCode !== null) continue;
    try {
      const md = await raw(
        n.port,
        ApiKey.Metadata,
        7,
        { topics: [{ name: topic }], allowAutoTopicCreation: false },
        1000,
      );
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

/** kafkajs acks=all writes to `partitions` of `topic` until stopped; `acked` holds the values acked. */
function startLoad(
  t: { after: (f: () => unknown) => void },
  kafka: Kafka,
  topic: string,
  partitions: number,
) {
  // Retries bounded (about 10 s) so a failed test does not wait for a send to brokers it killed.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const acked = new Set<string>();
  let sending = true;
  defer(t, async () => {
    sending = false;
    await producer.disconnect();
  });
  let seq = 0;
  const loop = (async () => {
    await producer.connect();
    while (sending) {
      const values = Array.from({ length: 2 * partitions }, () => String(seq++));
      try {
        const md = await producer.send({
          topic,
          acks: -1,
          timeout: 3000,
          messages: values.map((value, i) => ({ value, partition: i % partitions })),
        });
        // Only partitions the answer names were acked (kafkajs 2.2.4, engines/log/README.md).
        const ok = new Set(md.filter((m) => m.errorCode === 0).map((m) => m.partition));
        values.forEach((v, i) => {
          if (ok.has(i % partitions)) acked.add(v);
        });
      } catch {
        // not acked: not expected
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await producer.disconnect();
  })();
  return {
    acked,
    async stop() {
      sending = false;
      await loop;
    },
  };
}

/** Reads `topic` from the beginning with a new group until every acked value is seen; fails naming the lost ones. */
async function assertAllConsumed(kafka: Kafka, topic: string, acked: ReadonlySet<string>) {
  const consumer = testConsumer(kafka, `check-${topic}-${Date.now()}`);
  await consumer.connect();
  try {
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
  } finally {
    await consumer.disconnect();
  }
}

test("ElectLeaders: a restarted broker's leadership returns only when asked (auto rebalance off); error codes; unclean election", async (t) => {
  const cluster = await spawnCluster(
    t,
    tempDir(t),
    3,
    {
      ...fastCluster,
      "auto.leader.rebalance.enable": "false",
      "leader.imbalance.check.interval.seconds": "1",
      // A paused broker leaves the ISRs (1.5 s) long before it is fenced (8 s).
      "broker.session.timeout.ms": "8000",
      "replica.lag.time.max.ms": "1500",
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

  // From here until the elections are done, kafkajs writes with acks=all; nothing acked may be lost.
  const kafka = new Kafka({
    clientId: "elect-load",
    brokers: cluster.bootstrap.slice(1),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 12 },
  });
  const load = startLoad(t, kafka, "pref", 3);
  await waitFor(() => load.acked.size > 150, 20_000, "some acked writes");

  // Broker 1 paused: still live (its session is 8 s) but out of the ISR after 1.5 s. Electing it
  // would lose what it missed, so the preferred election is refused (80) until it has caught up.
  cluster.node(1).pause();
  await waitFor(
    async () => !(await partitionsOf(cluster, "pref", 2))[0]!.isrNodes.includes(1),
    6000,
    "paused broker 1 to leave partition 0's ISR",
  );
  const lagging = await raw(cluster.node(3).port, ApiKey.ElectLeaders, 1, {
    electionType: 0,
    topicPartitions: [{ topic: "pref", partitions: [0] }],
    timeoutMs: 5000,
  });
  cluster.node(1).resume();
  assert.deepEqual(codes(lagging), [["pref", [[0, 80]]]]);
  assert.match(
    lagging.replicaElectionResults[0].partitionResult[0].errorMessage,
    /preferred replica 1 is not in the ISR/,
  );
  await waitFor(
    async () => (await partitionsOf(cluster, "pref", 3))[0]!.isrNodes.includes(1),
    15_000,
    "broker 1 to catch up and rejoin partition 0's ISR",
  );

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
  // Answered once the change is in the answering broker's image.
  const back = (await partitionsOf(cluster, "pref", 3))[0]!;
  assert.equal(back.leaderId, 1);
  assert.equal(back.leaderEpoch, moved.leaderEpoch + 1);
  assert.deepEqual([...back.isrNodes].sort(), [1, 2, 3]);
  const ackedAtElection = load.acked.size;
  await waitFor(() => load.acked.size > ackedAtElection + 150, 20_000, "acked writes after the election");
  await load.stop();
  await assertAllConsumed(kafka, "pref", load.acked);

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
    ["__consumer_offsets", []],
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
  await waitFor(
    async () => (await partitionsOf(cluster, "frail"))[0]!.leaderId === -1,
    5000,
    "frail-0 to go offline",
  );
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
  assert.equal(
    (await partitionsOf(cluster, "frail", 3))[0]!.leaderId,
    -1,
    "no clean leader without broker 2",
  );
  const unclean = await raw(cluster.node(3).port, ApiKey.ElectLeaders, 2, {
    electionType: 1,
    topicPartitions: [{ topic: "frail", partitions: [0] }],
    timeoutMs: 5000,
  });
  assert.deepEqual(codes(unclean), [["frail", [[0, 0]]]]);
  const after = (await partitionsOf(cluster, "frail", 3))[0]!;
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

  const load = startLoad(t, kafka, topic, 6);
  const acked = load.acked;
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
  await load.stop();
  await assertAllConsumed(kafka, topic, acked);
  t.diagnostic(
    `balanced ${balancedAt - restartedAt} ms after the restart began (${balancedAt - readyAt} ms after broker 1 was ready); ${acked.size} acked records all consumed`,
  );
});
