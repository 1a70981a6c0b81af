/**
 * @platformatic/kafka 1.35.0 (flexible protocol versions) against a real 3-broker cluster: a
 * producer with acks=all keeps sending while the partition's leader is killed with SIGKILL (the
 * client follows the leader change by itself, retrying), and a group consumer that was reading
 * before the kill reads every acknowledged record from the survivors: nothing acked is lost.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Admin,
  Consumer,
  type Message,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";
import { fastCluster, spawnCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

type Msg = Message<string, string, string, string>;

test("@platformatic/kafka produces acks=all and consumes through kill -9 of the leader, losing nothing", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const bootstrapBrokers = cluster.bootstrap;

  const admin = new Admin({ clientId: "padmin", bootstrapBrokers });
  defer(t, () => admin.close());
  await admin.createTopics({ topics: ["pk"], partitions: 1, replicas: 3 });
  const leaderOf = async () => {
    const md = await admin.metadata({ topics: ["pk"], forceUpdate: true });
    return md.topics.get("pk")!.partitions[0]!;
  };
  const before = await leaderOf();

  const consumer = new Consumer({
    clientId: "pcons",
    groupId: "pk-group",
    bootstrapBrokers,
    deserializers: stringDeserializers,
    sessionTimeout: 6000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTime: 200,
    retries: 20,
    retryDelay: 200,
    metadataMaxAge: 1000,
  });
  defer(t, () => consumer.close(true));
  const got = new Set<string>();
  const errors: string[] = [];
  /**
   * A fetch is retried against the partition leader chosen before the first attempt, so when that
   * broker dies the stream fails with "fetch failed" (@platformatic/kafka 1.35); the consumer
   * then starts a new stream from its committed offsets, with fresh metadata, as an application
   * would. Records between the last commit and the failure are read again (at least once).
   */
  const consume = async (): Promise<void> => {
    const stream = await consumer.consume({ topics: ["pk"], mode: "committed", fallbackMode: "earliest" });
    stream.on("data", (m: Msg) => got.add(m.value));
    stream.once("error", (e: Error) => {
      errors.push(e.message);
      consumer.clearMetadata();
      setTimeout(() => void consume().catch((err: Error) => errors.push(`re-consume: ${err.message}`)), 250);
    });
  };
  await consume();

  const producer = new Producer({
    clientId: "pprod",
    bootstrapBrokers,
    serializers: stringSerializers,
    acks: ProduceAcks.ALL,
    retries: 2,
    retryDelay: 200,
  });
  defer(t, () => producer.close());
  const acked: string[] = [];
  let failedAttempts = 0;
  /**
   * @platformatic/kafka 1.35 retries a produce against the leader it looked up before the first
   * attempt, so when that broker is dead every retry is refused and the send fails; the next send
   * looks the leader up again only once its metadata is cleared (or older than metadataMaxAge).
   * So each batch is retried here after clearing it, as the harness's producers do. A refused
   * connection never wrote anything; a timed-out attempt may have, and a retry then duplicates —
   * never loses.
   */
  const sendAcked = async (messages: Array<{ topic: string; partition: number; value: string }>) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await producer.send({ messages });
      } catch (err) {
        failedAttempts++;
        if (attempt >= 20) throw err;
        producer.clearMetadata();
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const send = async (from: number, n: number) => {
    for (let i = from; i < from + n; i += 10) {
      const messages = Array.from({ length: 10 }, (_, k) => ({
        topic: "pk",
        partition: 0,
        value: `v${i + k}`,
      }));
      const r = await sendAcked(messages);
      assert.ok(r.offsets && r.offsets.length > 0, "acks=all answers with offsets");
      acked.push(...messages.map((m) => m.value));
    }
  };

  await send(0, 50);
  await waitFor(() => got.size === 50, 20_000, "the first 50 records consumed before the kill");
  await cluster.node(before.leader).stop("SIGKILL");
  await send(50, 50);
  const after = await leaderOf();
  assert.notEqual(after.leader, before.leader, "a surviving replica leads");
  assert.ok(after.leaderEpoch > before.leaderEpoch, "in a later leader epoch");

  await waitFor(() => acked.every((v) => got.has(v)), 30_000, "every acknowledged record consumed").catch(
    (e: Error) => {
      const missing = acked.filter((v) => !got.has(v));
      throw new Error(
        `${e.message}: ${missing.length} missing (${missing.slice(0, 5)}), errors: ${errors.join("; ")}`,
      );
    },
  );
  assert.equal(acked.length, 100);
  t.diagnostic(
    `${failedAttempts} produce attempt(s) failed around the kill and were retried; consumer streams restarted: ${errors.length}`,
  );
});
