/**
 * A broker restarted into a running cluster must not answer clients before it has the metadata:
 * Kafka's broker keeps its listeners closed until it has caught up with the metadata log and is
 * unfenced. The restarted broker here is probed from the moment its port accepts connections:
 * Metadata and Produce for a topic that exists never get UNKNOWN_TOPIC_OR_PARTITION (3), which is
 * what a broker serving from an empty image answers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { fastCluster, spawnCluster } from "../helpers/cluster.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers are checked field by field
type Any = Record<string, any>;

const PARTITIONS = 3;

/** Connects as soon as the port accepts (polling every 2 ms), for at most `ms`. */
async function firstConnection(port: number, ms: number): Promise<RawClient> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await RawClient.connect(port);
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

test("a restarted broker answers Metadata and Produce for existing topics from its first connection", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  {
    const c = await RawClient.connect(cluster.node(1).port);
    defer(t, () => c.close());
    const r = (await c.request(ApiKey.CreateTopics, 3, {
      topics: [{ name: "r", numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    })) as Any;
    assert.equal(r.topics[0].errorCode, 0);
  }
  const node = cluster.node(3);
  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    await node.stop(signal);
    const started = node.start();
    started.catch(() => undefined); // awaited below; a failed assertion must not leave it unhandled
    const c = await firstConnection(node.port, 30_000);
    defer(t, () => c.close());
    const md = (await c.request(ApiKey.Metadata, 6, {
      topics: [{ name: "r" }],
      allowAutoTopicCreation: false,
    })) as Any;
    assert.equal(md.topics[0].errorCode, 0, `Metadata after ${signal}: topic r is known`);
    assert.equal(md.topics[0].partitions.length, PARTITIONS);
    const pr = (await c.request(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 3000,
      topicData: [
        {
          name: "r",
          partitionData: Array.from({ length: PARTITIONS }, (_, index) => ({
            index,
            records: buildBatch([{ value: Buffer.from(`after ${signal}`) }]),
          })),
        },
      ],
    })) as Any;
    for (const p of pr.responses[0].partitionResponses) {
      // The restarted broker leads nothing yet: 6 (NOT_LEADER_OR_FOLLOWER) or 0, never 3.
      assert.notEqual(p.errorCode, 3, `Produce after ${signal}: partition ${p.index} is known`);
      assert.ok([0, 6].includes(p.errorCode), `Produce after ${signal}: error ${p.errorCode}`);
    }
    c.close();
    await started;
  }
});
