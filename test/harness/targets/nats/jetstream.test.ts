import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { connect } from "nats";
import { decodePayload } from "../../../../harness/generator/payload.ts";
import { NatsProducers } from "../../../../harness/targets/nats/producer.ts";
import { ensureJetStream } from "../../../../harness/targets/nats/setup.ts";
import { natsTopologySchema, streamName } from "../../../../harness/targets/nats/topology.ts";
import { batchOf, deliveredCounts, needs, PeerServers, until } from "../helpers/peer-servers.ts";

const consumerScript = "harness/targets/nats/consumer-process.ts";

async function streamMessages(port: number): Promise<number> {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  try {
    const jsm = await nc.jetstreamManager();
    return (await jsm.streams.info(streamName)).state.messages;
  } catch {
    return 0;
  } finally {
    await nc.close();
  }
}

async function setUp(port: number, storage: "file" | "memory", ackWait = "5s") {
  const topology = natsTopologySchema.parse({ storage, partitions: 3, ackWait });
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  await ensureJetStream(await nc.jetstreamManager(), topology);
  await nc.close();
  return topology;
}

describe("NATS JetStream against a real nats-server", { skip: needs("nats-server") }, () => {
  const servers = new PeerServers();
  after(() => servers.close());

  test("published batches reach the push consumer's queue group once each, spread over the members", async () => {
    const { port } = await servers.nats();
    const topology = await setUp(port, "file");
    const c1 = await servers.consumer(consumerScript, "consumer-1", ["--port", String(port)]);
    const c2 = await servers.consumer(consumerScript, "consumer-2", ["--port", String(port)]);
    const producers = new NatsProducers(2, { port, topology, timeoutMs: 2000, messageSize: 64 });
    await producers.connect();
    try {
      for (let b = 0; b < 4; b++) {
        assert.deepEqual(await producers.send(0, batchOf(0, b * 50, 50)), { type: "ok" });
        assert.deepEqual(
          await producers.send(
            1,
            batchOf(1, b * 50, 50, (i) => `k${i}`),
          ),
          { type: "ok" },
        );
      }
      const all = () => deliveredCounts([...c1.reports, ...c2.reports]);
      assert.ok(await until(() => all().size === 400), "all 400 delivered");
      assert.ok(
        [...all().values()].every((n) => n === 1),
        "no duplicates",
      );
      assert.equal(await streamMessages(port), 400);
      assert.ok(c1.reports.length > 0 && c2.reports.length > 0, "both members received some");
    } finally {
      await producers.close();
      await c1.node.stop();
      await c2.node.stop();
    }
  });

  for (const [storage, survives] of [
    ["file", 30],
    ["memory", 0],
  ] as const) {
    test(`kill -9 and restart with ${storage} storage: ${survives} of 30 acked messages survive`, async () => {
      const { node, port } = await servers.nats();
      const topology = await setUp(port, storage);
      const producers = new NatsProducers(1, { port, topology, timeoutMs: 2000, messageSize: 64 });
      await producers.connect();
      assert.deepEqual(await producers.send(0, batchOf(0, 0, 30)), { type: "ok" });
      await producers.close();
      await node.kill();
      await node.start();
      assert.equal(await streamMessages(port), survives);
    });
  }

  test("after a memory-storage restart the client creates the stream and consumer again, and delivery resumes", async () => {
    const { node, port } = await servers.nats();
    const topology = await setUp(port, "memory");
    const c = await servers.consumer(consumerScript, "consumer-1", ["--port", String(port)]);
    const producers = new NatsProducers(1, { port, topology, timeoutMs: 1000, messageSize: 64 });
    await producers.connect();
    try {
      assert.deepEqual(await producers.send(0, batchOf(0, 0, 20)), { type: "ok" });
      assert.ok(await until(() => deliveredCounts(c.reports).size === 20), "delivered before the kill");
      await node.kill();
      await node.start();
      let seq = 20;
      let sent = await producers.send(0, batchOf(0, seq, 5));
      for (let i = 0; i < 60 && sent.type !== "ok"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seq += 5;
        sent = await producers.send(0, batchOf(0, seq, 5));
      }
      assert.deepEqual(sent, { type: "ok" });
      // The new stream starts with what was sent after the restart: the 20 from before are gone.
      const nc = await connect({ servers: `127.0.0.1:${port}` });
      const first = await (await nc.jetstreamManager()).streams.getMessage(streamName, { seq: 1 });
      await nc.close();
      assert.ok((decodePayload(Buffer.from(first.data).toString("latin1"))?.seq ?? -1) >= 20);
      assert.ok(
        await until(() => deliveredCounts(c.reports).has(`0.${seq}`), 8000),
        "delivered after the restart",
      );
    } finally {
      await producers.close();
      await c.node.stop();
    }
  });

  test("messages a killed consumer never acknowledged are delivered again, to another member, after ack_wait", async () => {
    const { port } = await servers.nats();
    const topology = await setUp(port, "file", "1s");
    const c1 = await servers.consumer(consumerScript, "consumer-1", ["--port", String(port)]);
    const producers = new NatsProducers(1, { port, topology, timeoutMs: 2000, messageSize: 64 });
    await producers.connect();
    try {
      // Stopped, consumer-1 receives the messages into its socket but cannot report or ack them.
      c1.node.pause();
      assert.deepEqual(await producers.send(0, batchOf(0, 0, 20)), { type: "ok" });
      await new Promise((r) => setTimeout(r, 200));
      await c1.node.kill();
      assert.equal(c1.reports.length, 0);
      const c2 = await servers.consumer(consumerScript, "consumer-2", ["--port", String(port)]);
      assert.ok(
        await until(() => deliveredCounts(c2.reports).size === 20, 8000),
        "redelivered to consumer-2",
      );
      await c2.node.stop();
    } finally {
      await producers.close();
    }
  });
});
