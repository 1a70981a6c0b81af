// kafkajs 2.2.4 can resolve a send it never sent. When the connection to its seed broker closes
// while a metadata refresh is in flight, `removeBroker` makes another broker the seed and the
// refresh then renames that broker's object to the removed node's id. Every later send to the
// renamed broker's partitions goes out as a Produce request with no partitions and resolves with
// no RecordMetadata. In the pull-vs-push runs (a broker killed while two were paused) one
// producer's writes to one broker were all "acknowledged" this way and lost: 1,000–1,700 per run,
// in no replica. This test puts kafkajs's broker pool in that state against a real 3-broker cluster
// (the same two calls kafkajs makes, in the same order) and checks that the harness does not
// record such a send as acknowledged, and that the producer recovers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { PlannedMessage } from "../../../../harness/generator/schedule.ts";
import { KafkaProducers } from "../../../../harness/targets/kafka/kafka-producer.ts";
import { fastCluster, spawnCluster } from "../../../engines/log/helpers/cluster.ts";
import { defer, tempDir } from "../../../engines/log/helpers/tmp.ts";

const TOPIC = "events";
const PARTITIONS = 3;

/** The broker pool kafkajs keeps per client (private; reached through its cluster factory). */
interface PoolBroker {
  nodeId: number;
  connectionPool: { host: string; port: number };
  metadata(topics: string[]): Promise<unknown>;
}
interface Pool {
  brokers: Record<string, PoolBroker>;
  seedBroker: PoolBroker;
  refreshMetadata(topics: string[]): Promise<void>;
  removeBroker(where: { host: string; port: number }): void;
}

/** Wraps kafkajs's private cluster factory so the test can reach each producer's broker pool. */
function capturePools(kafka: Kafka): Pool[] {
  const pools: Pool[] = [];
  const k = kafka as unknown as Record<symbol, (o: unknown) => { brokerPool: Pool }>;
  const sym = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === "private:Kafka:createCluster",
  );
  assert.ok(sym, "kafkajs's cluster factory (kafkajs 2.2.4 internals)");
  const create = k[sym]!;
  k[sym] = (o) => {
    const c = create(o);
    pools.push(c.brokerPool);
    return c;
  };
  return pools;
}

test("a kafkajs send resolved without an answer for its partition is not recorded as acknowledged", {
  timeout: 90_000,
}, async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, fastCluster);
  const kafka = new Kafka({ clientId: "stale-map", brokers: cluster.bootstrap, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }],
    waitForLeaders: true,
  });
  const leaderOf = new Map(
    (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions.map((p) => [
      p.partitionId,
      p.leader,
    ]),
  );
  const written = async () =>
    new Map((await admin.fetchTopicOffsets(TOPIC)).map((o) => [o.partition, Number(o.high)]));

  const pools = capturePools(kafka);
  const producers = new KafkaProducers(kafka, 1, {
    topic: TOPIC,
    partitions: PARTITIONS,
    acks: -1,
    timeoutMs: 5000,
    messageSize: 100,
    retries: 0,
    idempotent: false,
  });
  await producers.connect();
  defer(t, () => producers.close());
  let seq = 0;
  const batch = (): PlannedMessage[] => [
    { index: seq, producer: 0, seq: seq++, intendedUs: 0, key: undefined },
  ];
  // Unkeyed sends rotate over the partitions (0, 1, 2, 0, ...): one round loads the metadata.
  for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(await producers.send(0, batch()), { type: "ok" });

  // What kafkajs does when a connection to its seed broker closes while a refresh is in flight.
  const pool = pools[0]!;
  const seed = pool.seedBroker;
  assert.ok(pool.brokers[seed.nodeId] === seed, "the seed broker is in the pool");
  // The seed's connection closes while the refresh's Metadata request is on the wire.
  for (const b of Object.values(pool.brokers)) {
    const metadata = b.metadata.bind(b);
    b.metadata = (topics) => {
      const answer = metadata(topics);
      pool.removeBroker({ host: seed.connectionPool.host, port: seed.connectionPool.port });
      return answer;
    };
  }
  await pool.refreshMetadata([TOPIC]);
  const renamed = Object.entries(pool.brokers).find(([id, b]) => Number(id) !== b.nodeId);
  assert.ok(renamed, "kafkajs renamed a live broker's object (the race this test is about)");
  const victim = Number(renamed[0]);
  const partition = [...leaderOf].find(([, leader]) => leader === victim)?.[0];
  assert.ok(partition !== undefined, `a partition led by broker ${victim}`);

  const before = await written();
  // The next round reaches every partition once; the renamed broker's partition gets no records.
  const outcomes = new Map<number, Awaited<ReturnType<KafkaProducers["send"]>>>();
  for (let p = 0; p < PARTITIONS; p++) outcomes.set(seq % PARTITIONS, await producers.send(0, batch()));
  const after = await written();
  for (const [p, outcome] of outcomes) {
    if (outcome.type === "ok")
      assert.ok(after.get(p)! > before.get(p)!, `partition ${p}: a send recorded ok was written`);
  }
  const dropped = outcomes.get(partition)!;
  // Usually kafkajs resolves the send with no answer (recorded as fail); when the removed broker's
  // connection closes first the send errors instead (info). Never ok: nothing was written.
  assert.notEqual(
    dropped.type,
    "ok",
    `partition ${partition} (broker ${victim}): ${JSON.stringify(dropped)}`,
  );
  assert.equal(after.get(partition), before.get(partition), "kafkajs sent none of its records");

  // The producer reconnects with a fresh broker map: sends to that broker are written again.
  let recovered = false;
  for (let i = 0; i < 5 * PARTITIONS && !recovered; i++) {
    const p = seq % PARTITIONS;
    const was = (await written()).get(p)!;
    const outcome = await producers.send(0, batch());
    if (p === partition && outcome.type === "ok") {
      assert.ok((await written()).get(p)! > was, "the recovered send was written");
      recovered = true;
    }
  }
  assert.ok(recovered, `sends to partition ${partition} succeed again after the reconnect`);
});
