/**
 * Consumer groups on a cluster: committed offsets live in the controller quorum's metadata log and
 * the coordinator is the leader of __consumer_offsets-0, so killing the coordinator loses no
 * committed offset — a consumer of the same group resumes where the group left off.
 * Also: SIGTERM on a leader moves its leaderships before it exits (controlled shutdown).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
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
