/**
 * kafkajs against a broker process with a compacted topic (cleanup.policy=compact): the configs
 * are reported, a record without a key is refused (INVALID_RECORD, as Kafka does), and after the
 * log cleaner has run a consumer from the beginning sees each key's last value only, at the offset
 * it was produced at — the offsets in between are gaps it reads across.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnBroker } from "./helpers/broker.ts";
import { kafkaFor, testConsumer, waitFor } from "./helpers/kafka.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

test("kafkajs: a compacted topic keeps each key's last value after cleaning; offsets keep their gaps", async (t) => {
  const broker = await spawnBroker(t, tempDir(t), {
    "log.cleaner.backoff.ms": "200",
    "group.initial.rebalance.delay.ms": "0",
  });
  const kafka = kafkaFor(broker.port);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic: "table",
        numPartitions: 1,
        configEntries: [
          { name: "cleanup.policy", value: "compact" },
          { name: "segment.bytes", value: "1024" },
          { name: "min.cleanable.dirty.ratio", value: "0.01" },
          { name: "delete.retention.ms", value: "3600000" },
        ],
      },
    ],
  });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: 2, name: "table", configNames: ["cleanup.policy", "min.cleanable.dirty.ratio", "segment.ms"] },
    ],
  });
  const entries = Object.fromEntries(
    described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
  );
  assert.deepEqual(entries, {
    "cleanup.policy": "compact",
    "min.cleanable.dirty.ratio": "0.01",
    "segment.ms": String(7 * 24 * 3600 * 1000),
  });
  await assert.rejects(
    admin.createTopics({
      topics: [{ topic: "bad", configEntries: [{ name: "cleanup.policy", value: "compacted" }] }],
    }),
    (e: Error & { errors?: Array<{ type?: string }> }) => e.errors?.[0]?.type === "INVALID_CONFIG",
  );

  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  defer(t, () => producer.disconnect());
  await assert.rejects(
    producer.send({ topic: "table", messages: [{ key: "k", value: "1" }, { value: "no key" }] }),
    (e: Error & { type?: string }) => e.type === "INVALID_RECORD",
  );
  const keys = ["k0", "k1", "k2", "k3", "k4"];
  const offsetOf = new Map<string, number>();
  for (let round = 0; round < 40; round++) {
    const [r] = await producer.send({
      topic: "table",
      messages: keys.map((k) => ({ key: k, value: `${k}-${round}` })),
    });
    keys.forEach((k, i) => {
      offsetOf.set(k, Number(r!.baseOffset) + i);
    });
  }
  // A batch larger than what is left of the segment rolls it: every round above is now in a
  // closed segment, which the cleaner may clean.
  const [pad] = await producer.send({ topic: "table", messages: [{ key: "pad", value: "x".repeat(1100) }] });
  const produced = Number(pad!.baseOffset) + 1;
  // The cleaner may have run between rounds already; wait for a cleaning up to the pad's segment.
  await waitFor(
    () => broker.stderr().includes(`cleaned table-0 [0, ${produced - 1})`),
    15_000,
    "the cleaner to clean table-0 up to the last segment",
  );

  const consumer = testConsumer(kafka, "reader");
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic: "table", fromBeginning: true });
  const seen: Array<{ offset: number; key: string; value: string }> = [];
  await consumer.run({
    eachMessage: async ({ message }) =>
      void seen.push({
        offset: Number(message.offset),
        key: message.key!.toString(),
        value: message.value!.toString().slice(0, 10),
      }),
  });
  await waitFor(() => seen.some((m) => m.key === "pad"), 15_000, "the consumer to reach the last record");
  assert.deepEqual(
    seen.filter((m) => m.key !== "pad"),
    keys.map((k) => ({ offset: offsetOf.get(k)!, key: k, value: `${k}-39` })),
    "each key once, its last value, at the offset it was produced at",
  );
  assert.equal(seen.at(-1)!.offset, produced - 1);
  assert.ok(seen[0]!.offset > 0 && seen.length < produced / 10, `${seen.length} of ${produced} offsets left`);
});
