/**
 * End to end through kafkajs 2.2.4 against the broker as a real child process: admin, producers
 * with every acks mode, consuming, and restarts (graceful and SIGKILL) on the same data directory.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { CompressionTypes } from "kafkajs";
import { spawnBroker } from "./helpers/broker.ts";
import { kafkaFor, testConsumer, waitFor } from "./helpers/kafka.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

const fast = { "group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000" };

async function highWatermarks(port: number, topic: string): Promise<number> {
  const admin = kafkaFor(port).admin();
  await admin.connect();
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((s, o) => s + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

test("admin creates topics; producers with acks 0, 1 and -1 all land; a consumer reads everything", async (t) => {
  const broker = await spawnBroker(t, tempDir(t), fast);
  const kafka = kafkaFor(broker.port);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  assert.equal(await admin.createTopics({ topics: [{ topic: "acks", numPartitions: 3 }] }), true);
  assert.equal(await admin.createTopics({ topics: [{ topic: "acks", numPartitions: 3 }] }), false);
  await assert.rejects(admin.createTopics({ topics: [{ topic: "rf3", replicationFactor: 3 }] }));
  const md = await admin.fetchTopicMetadata({ topics: ["acks"] });
  assert.equal(md.topics[0]!.partitions.length, 3);
  assert.ok((await admin.listTopics()).includes("acks"));

  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const sent: string[] = [];
  for (const acks of [0, 1, -1]) {
    for (let i = 0; i < 5; i++) {
      const messages = Array.from({ length: 20 }, (_, j) => ({ key: `k${j}`, value: `a${acks}-${i}-${j}` }));
      const r = await producer.send({ topic: "acks", acks, messages });
      sent.push(...messages.map((m) => m.value));
      if (acks === 0) assert.deepEqual(r, []);
      else assert.ok(r.every((x) => x.errorCode === 0));
    }
  }
  await waitFor(async () => (await highWatermarks(broker.port, "acks")) === 300, 5000, "all 300 records");

  const consumer = testConsumer(kafka, "reader");
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic: "acks", fromBeginning: true });
  const got = new Set<string>();
  await consumer.run({ eachMessage: async ({ message }) => void got.add(message.value!.toString()) });
  await waitFor(() => got.size === 300, 15_000, "consumer to read all 300");
  assert.deepEqual([...got].sort(), [...sent].sort());

  // Compressed batches are stored and served verbatim; the broker never decompresses them.
  const gz = Array.from({ length: 50 }, (_, i) => ({ value: `gzip-${i}`.repeat(10) }));
  await producer.send({ topic: "acks", acks: -1, compression: CompressionTypes.GZIP, messages: gz });
  await waitFor(() => gz.every((m) => got.has(m.value)), 10_000, "gzip batch consumed");

  // Producers rely on auto-creation through Metadata.
  const r = await producer.send({ topic: "auto-created", messages: [{ value: "x" }] });
  assert.equal(r[0]!.errorCode, 0);
  assert.ok((await admin.listTopics()).includes("auto-created"));
  await admin.deleteTopics({ topics: ["auto-created"] });
  assert.ok(!(await admin.listTopics()).includes("auto-created"));
});

test("restart keeps flushed data and committed offsets (SIGTERM, then SIGKILL)", async (t) => {
  const dir = tempDir(t);
  let broker = await spawnBroker(t, dir, fast);
  let kafka = kafkaFor(broker.port);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "durable", numPartitions: 2 }] });
  await admin.disconnect();
  let producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 10; i++) {
    await producer.send({
      topic: "durable",
      acks: -1,
      messages: Array.from({ length: 10 }, (_, j) => ({ value: `first-${i}-${j}` })),
    });
  }
  await producer.disconnect();
  const consumeAll = async (port: number, expected: number) => {
    const c = testConsumer(kafkaFor(port), "resumer");
    await c.connect();
    await c.subscribe({ topic: "durable", fromBeginning: true });
    const seen: string[] = [];
    await c.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await waitFor(() => seen.length >= expected, 15_000, `${expected} messages`);
    // Give auto-commit a moment, then leave cleanly (which commits too).
    await new Promise((r) => setTimeout(r, 300));
    await c.disconnect();
    return seen;
  };
  const first = await consumeAll(broker.port, 100);
  assert.equal(first.length, 100);

  const term = await broker.stop("SIGTERM");
  assert.equal(term.code, 0, `graceful exit, stderr: ${broker.stderr()}`);
  broker = await spawnBroker(t, dir, fast);
  assert.equal(await highWatermarks(broker.port, "durable"), 100);
  kafka = kafkaFor(broker.port);
  producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: "durable",
    acks: -1,
    messages: [{ value: "second-a" }, { value: "second-b" }],
  });
  await producer.disconnect();
  // The group resumes from its committed offsets: only the two new records are delivered.
  const second = await consumeAll(broker.port, 2);
  assert.deepEqual(second.sort(), ["second-a", "second-b"]);

  const kill = await broker.stop("SIGKILL");
  assert.equal(kill.signal, "SIGKILL");
  broker = await spawnBroker(t, dir, fast);
  assert.equal(await highWatermarks(broker.port, "durable"), 102);
  const admin2 = kafkaFor(broker.port).admin();
  await admin2.connect();
  const committed = await admin2.fetchOffsets({ groupId: "resumer", topics: ["durable"] });
  await admin2.disconnect();
  const total = committed[0]!.partitions.reduce((s, p) => s + Number(p.offset), 0);
  assert.equal(total, 102);
  await broker.stop("SIGTERM");
});

test("bad flags and config exit with code 2 and a message", async () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn(process.execPath, ["--import", "tsx", "engines/log/main.ts", ...args], {
        stdio: "pipe",
      });
      let err = "";
      p.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      p.on("exit", (code) => resolve({ code, err }));
    });
  const noData = await run(["--port", "0"]);
  assert.equal(noData.code, 2);
  assert.match(noData.err, /--data/);
  const badKey = await run(["--port", "0", "--data", "/tmp/unused-fb", "--set", "segmnt.bytes=1"]);
  assert.equal(badKey.code, 2);
  assert.match(badKey.err, /unknown config key segmnt.bytes/);
});
