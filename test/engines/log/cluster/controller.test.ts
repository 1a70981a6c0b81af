/**
 * A real 3-node combined cluster (each node a broker and a Raft controller voter): topics get
 * replicas on every broker, Metadata shows leaders and ISR, killing a broker fences it after the
 * session timeout and moves its leaderships to ISR members, and killing the active controller
 * elects another that keeps deciding.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { fastCluster, spawnCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

function kafkaOn(brokers: string[]): Kafka {
  return new Kafka({
    clientId: "cluster-test",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 15 },
  });
}

test("3 combined nodes: RF=3 topic, leaders move off a killed broker, the quorum survives its active controller", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const kafka = kafkaOn(cluster.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  assert.equal(
    await admin.createTopics({ topics: [{ topic: "t", numPartitions: 3, replicationFactor: 3 }] }),
    true,
  );
  const md = await admin.fetchTopicMetadata({ topics: ["t"] });
  const parts = md.topics[0]!.partitions;
  assert.equal(parts.length, 3);
  for (const p of parts) {
    assert.equal(p.replicas.length, 3);
    assert.deepEqual([...p.isr].sort(), [1, 2, 3]);
  }
  // Leaders are spread: partition i starts on a different broker.
  assert.equal(new Set(parts.map((p) => p.leader)).size, 3);

  const victim = parts[0]!.leader;
  await cluster.node(victim).stop("SIGKILL");
  await waitFor(
    async () => {
      const m = await admin.fetchTopicMetadata({ topics: ["t"] });
      return m.topics[0]!.partitions.every(
        (p) => p.leader !== victim && p.leader >= 0 && !p.isr.includes(victim),
      );
    },
    10_000,
    "leadership to move off the killed broker",
  );
  // Two of three voters remain: the quorum still decides (a new topic needs a committed record).
  assert.equal(
    await admin.createTopics({ topics: [{ topic: "after-kill", numPartitions: 2, replicationFactor: 2 }] }),
    true,
  );

  // Now kill whichever node is the active controller (the one that logged the highest term).
  const active = cluster.nodes
    .filter((n) => n.id !== victim)
    .map((n) => ({
      n,
      term: Math.max(
        -1,
        ...[...n.stderr.matchAll(/active controller \(term (\d+)\)/g)].map((m) => Number(m[1])),
      ),
    }))
    .sort((a, b) => b.term - a.term)[0]!.n;
  await cluster.node(victim).start();
  await waitFor(
    async () =>
      (await admin.fetchTopicMetadata({ topics: ["t"] })).topics[0]!.partitions.every(
        (p) => p.isr.length === 3,
      ),
    15_000,
    "full ISRs again",
  );
  await active.stop("SIGKILL");
  assert.equal(
    await admin.createTopics({
      topics: [{ topic: "after-controller-kill", numPartitions: 1, replicationFactor: 2 }],
    }),
    true,
  );
  await active.start();
  await waitFor(
    async () => {
      const m = await admin.fetchTopicMetadata({ topics: ["t"] });
      return m.topics[0]!.partitions.every((p) => p.isr.includes(victim));
    },
    15_000,
    "the restarted broker to rejoin every ISR",
  );
});
