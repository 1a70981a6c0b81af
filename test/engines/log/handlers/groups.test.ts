/**
 * DeleteGroups on one broker through kafkajs's admin: refused while the group has a member
 * (NON_EMPTY_GROUP, 68), unknown groups answer GROUP_ID_NOT_FOUND (69), and an empty group goes
 * with its committed offsets — also after a restart (the offsets file holds the removals).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnBroker } from "../helpers/broker.ts";
import { kafkaFor, testConsumer, waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

const codesOf = async (p: Promise<unknown>) => {
  try {
    return ((await p) as Array<{ groupId: string; errorCode: number }>).map((g) => [g.groupId, g.errorCode]);
  } catch (e) {
    const groups = (e as { groups?: Array<{ groupId: string; errorCode: number }> }).groups;
    if (!groups) throw e;
    // kafkajs throws with the failed groups only.
    return groups.map((g) => [g.groupId, g.errorCode]);
  }
};

test("DeleteGroups: a member blocks it, an unknown group is not found, an empty group goes with its offsets", async (t) => {
  const dir = tempDir(t);
  const broker = await spawnBroker(t, dir, { "group.initial.rebalance.delay.ms": "0" });
  const kafka = kafkaFor(broker.port);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: "d", numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic: "d", messages: [{ value: "a" }, { value: "b" }, { value: "c" }] });

  const consumer = testConsumer(kafka, "doomed");
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic: "d", fromBeginning: true });
  let seen = 0;
  await consumer.run({ eachMessage: async () => void seen++ });
  await waitFor(() => seen === 3, 15_000, "the consumer to read all three");
  assert.deepEqual(await codesOf(admin.deleteGroups(["doomed"])), [["doomed", 68]]);
  await consumer.disconnect(); // commits on the way out; the group is empty now
  const committed = await admin.fetchOffsets({ groupId: "doomed", topics: ["d"] });
  assert.ok(
    committed[0]!.partitions.some((p) => p.offset !== "-1"),
    "the group had committed offsets to delete",
  );
  assert.deepEqual(await codesOf(admin.deleteGroups(["doomed"])), [["doomed", 0]]);
  assert.deepEqual(await codesOf(admin.deleteGroups(["never-was"])), [["never-was", 69]]);
  const offsetsOf = async () =>
    (await admin.fetchOffsets({ groupId: "doomed", topics: ["d"] }))[0]!.partitions.map((p) => p.offset);
  assert.deepEqual(await offsetsOf(), ["-1", "-1"]);
  assert.deepEqual(
    await codesOf(admin.deleteGroups(["doomed"])),
    [["doomed", 69]],
    "gone: nothing left to delete",
  );
  assert.deepEqual((await admin.listGroups()).groups, []);
  await admin.disconnect();

  // The removals are in the offsets file: a broker restarted after kill -9 does not bring them back.
  await broker.stop("SIGKILL");
  const restarted = await spawnBroker(t, dir, { "group.initial.rebalance.delay.ms": "0" });
  const again = kafkaFor(restarted.port).admin();
  await again.connect();
  defer(t, () => again.disconnect());
  assert.deepEqual(
    (await again.fetchOffsets({ groupId: "doomed", topics: ["d"] }))[0]!.partitions.map((p) => p.offset),
    ["-1", "-1"],
  );
});
