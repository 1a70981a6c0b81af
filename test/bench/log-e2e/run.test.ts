/**
 * The raw end-to-end measurement against a real 3-broker cluster, briefly and at a low rate: the
 * producer and consumer processes start, every acknowledged record is consumed, the window's
 * records are counted once each, and the cores of every process are read.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { rawEndToEnd } from "../../../bench/log-e2e/run.ts";
import { ApiKey } from "../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../engines/log/tools/raw-client.ts";
import { fastCluster, spawnCluster } from "../../engines/log/helpers/cluster.ts";
import { waitFor } from "../../engines/log/helpers/kafka.ts";
import { defer, tempDir } from "../../engines/log/helpers/tmp.ts";

interface Md {
  brokers: Array<{ nodeId: number; port: number }>;
  topics: Array<{ partitions: Array<{ partitionIndex: number; leaderId: number; isrNodes: number[] }> }>;
}

test("raw end to end: every acknowledged record is consumed and the window's records are measured", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const c = await RawClient.connect(cluster.nodes[0]!.port);
  defer(t, () => c.close());
  await c.request(ApiKey.CreateTopics, 3, {
    topics: [{ name: "e", numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  let md: Md | undefined;
  await waitFor(
    async () => {
      md = (await c.request(ApiKey.Metadata, 6, {
        topics: [{ name: "e" }],
        allowAutoTopicCreation: false,
      })) as unknown as Md;
      const parts = md.topics[0]?.partitions ?? [];
      return parts.length === 3 && parts.every((p) => p.leaderId > 0 && p.isrNodes.length === 3);
    },
    15_000,
    "topic e with leaders and full ISRs",
  );
  const byLeader = new Map<number, number[]>();
  for (const p of md!.topics[0]!.partitions)
    byLeader.set(p.leaderId, [...(byLeader.get(p.leaderId) ?? []), p.partitionIndex]);
  const rate = 2000;
  const r = await rawEndToEnd({
    topic: "e",
    partitions: 3,
    leaders: [...byLeader].map(([id, partitions]) => ({
      port: md!.brokers.find((b) => b.nodeId === id)!.port,
      partitions,
    })),
    rate,
    warmupMs: 300,
    measureMs: 1000,
    recordBytes: 100,
    connections: 1,
    maxBatchRecords: 1000,
    brokerPids: cluster.nodes.map((n) => n.proc!.pid!),
  });
  assert.deepEqual(r.errors, {});
  // Records due in the 1 s window, each counted once (the schedule is exact: 2,000/s).
  assert.equal(r.e2e.count, rate);
  assert.equal(r.fromSend.count, rate);
  assert.ok(r.e2e.p50 > 0 && r.e2e.max >= r.e2e.p99 && r.e2e.p99 >= r.e2e.p50);
  // Due → consumed includes sent → consumed.
  assert.ok(r.e2e.max >= r.fromSend.max - 0.01, `${r.e2e.max} vs ${r.fromSend.max}`);
  // Acks are counted for the batches due after the warm-up only (not the 300 ms before it); a batch
  // straddling the window's start is left out whole.
  assert.ok(r.ack.count <= rate && r.ack.count >= rate * 0.95, `acks counted: ${r.ack.count}`);
  assert.ok(r.queued.count <= rate, `batches counted: ${r.queued.count}`);
  assert.ok(r.delivered > 0);
  assert.ok(r.cpu.brokers > 0 && r.cpu.producer > 0 && r.cpu.consumer > 0);
});
