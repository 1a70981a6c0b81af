/**
 * Fetch from followers (KIP-392) on three broker processes in three racks, with the rack-aware
 * replica selector: Metadata shows each broker's rack; the leader sends a consumer from another
 * broker's rack there (preferred read replica, no records) and serves one from its own rack
 * itself; a follower serves Fetch v11+ below its own high watermark and refuses older versions,
 * which carry no rack; a kafkajs consumer with that rack id reads everything through the follower.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { RACK_AWARE_SELECTOR } from "../../../../engines/log/config.ts";
import type { FetchResponse } from "../../../../engines/log/protocol/apis/fetch.ts";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { parseBatches } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { fastCluster, spawnCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

const fetchBody = (rackId: string, fetchOffset = 0) => ({
  replicaId: -1,
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic: "ff",
      partitions: [
        { partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 },
      ],
    },
  ],
  forgottenTopicsData: [],
  rackId,
});

test("fetch from followers: the leader points a consumer at the replica in its rack, which serves it", async (t) => {
  const cluster = await spawnCluster(
    t,
    tempDir(t),
    3,
    { ...fastCluster, "replica.selector.class": RACK_AWARE_SELECTOR },
    0,
    (id) => ({ "broker.rack": `rack-${id}` }),
  );
  const logs: string[] = [];
  const kafka = new Kafka({
    clientId: "ff-test",
    brokers: cluster.bootstrap,
    logLevel: logLevel.INFO,
    logCreator: () => (entry) => void logs.push(entry.log.message),
    retry: { initialRetryTime: 100, retries: 20 },
  });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: "ff", numPartitions: 1, replicationFactor: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({
    topic: "ff",
    acks: -1,
    messages: Array.from({ length: 100 }, (_, i) => ({ value: `v${i}` })),
  });

  const c = await RawClient.connect(cluster.nodes[0]!.port);
  defer(t, () => c.close());
  const md = (await c.request(ApiKey.Metadata, 6, {
    topics: [{ name: "ff" }],
    allowAutoTopicCreation: false,
  })) as {
    brokers: Array<{ nodeId: number; rack: string | null }>;
    topics: Array<{ partitions: Array<{ leaderId: number; isrNodes: number[] }> }>;
  };
  assert.deepEqual(md.brokers.map((b) => [b.nodeId, b.rack]).sort(), [
    [1, "rack-1"],
    [2, "rack-2"],
    [3, "rack-3"],
  ]);
  const leader = md.topics[0]!.partitions[0]!.leaderId;
  const follower = [1, 2, 3].find((id) => id !== leader)!;
  const at = async (id: number) => {
    const x = await RawClient.connect(cluster.node(id).port);
    defer(t, () => x.close());
    return x;
  };
  const toLeader = await at(leader);
  const toFollower = await at(follower);
  const part = async (client: RawClient, version: number, rackId: string) =>
    ((await client.request(ApiKey.Fetch, version, fetchBody(rackId))) as unknown as FetchResponse)
      .responses[0]!.partitions[0]!;
  const count = (records: Buffer | null) => (records ? [...parseBatches(records)].length : 0);

  const redirected = await part(toLeader, 11, `rack-${follower}`);
  assert.equal(redirected.errorCode, 0);
  assert.equal(redirected.preferredReadReplica, follower, "sent to the replica in the consumer's rack");
  assert.equal(count(redirected.records), 0, "and no records from here");
  const local = await part(toLeader, 11, `rack-${leader}`);
  assert.equal(local.preferredReadReplica, -1, "a consumer in the leader's rack reads there");
  assert.equal(count(local.records), 100);
  const anyRack = await part(toLeader, 11, "");
  assert.equal(count(anyRack.records), 100, "no rack: the leader serves");

  // The follower serves below its own HW once it has learned it (its next fetch round).
  await waitFor(
    async () => Number((await part(toFollower, 11, `rack-${follower}`)).highWatermark) === 100,
    10_000,
    "the follower's HW",
  );
  const served = await part(toFollower, 11, `rack-${follower}`);
  assert.equal(served.errorCode, 0);
  assert.equal(count(served.records), 100, "the follower serves what is committed");
  assert.equal((await part(toFollower, 10, "")).errorCode, 6, "before v11 only the leader serves");

  // kafkajs with that rack id reads everything, told by the leader to go to the follower.
  const consumer = kafka.consumer({ groupId: "ff-group", rackId: `rack-${follower}` });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic: "ff", fromBeginning: true });
  const seen = new Set<string>();
  await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
  await waitFor(() => seen.size === 100, 20_000, "the consumer to read all 100");
  assert.ok(
    logs.some((m) => m.includes(`Preferred read replica is now ${follower}`)),
    "kafkajs followed the leader's pointer to the follower",
  );
});
