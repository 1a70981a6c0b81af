/**
 * The end-to-end path of a replicated write has no poll timeout in it: a consumer Fetch parked at
 * the leader wakes when the high watermark passes the new record, and the HW moves as soon as the
 * followers' next fetches (sent right after they append) report their log end offsets — not when a
 * follower's long poll (`replica.fetch.wait.max.ms`) or the consumer's `max_wait_ms` runs out.
 * Both waits are set far above the bound this test allows, so a path that waited for either fails.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FetchResponse } from "../../../../engines/log/protocol/apis/fetch.ts";
import type { ProduceResponse } from "../../../../engines/log/protocol/apis/produce.ts";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { buildBatch, parseBatches } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { fastCluster, partitionState, spawnCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

const FOLLOWER_WAIT_MS = 8000;
const CONSUMER_WAIT_MS = 15_000;
/** Generous for a loaded 2-core machine, and far below either wait. */
const BOUND_MS = 2500;

const produce = (c: RawClient, value: string) =>
  c.request(ApiKey.Produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 20_000,
    topicData: [
      { name: "w", partitionData: [{ index: 0, records: buildBatch([{ value: Buffer.from(value) }]) }] },
    ],
  }) as unknown as Promise<ProduceResponse>;

test("a consumer fetch parked at the leader returns as soon as an acks=all write commits", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, {
    ...fastCluster,
    "replica.fetch.wait.max.ms": String(FOLLOWER_WAIT_MS),
  });
  const admin = await RawClient.connect(cluster.nodes[0]!.port);
  defer(t, () => admin.close());
  await admin.request(ApiKey.CreateTopics, 3, {
    topics: [{ name: "w", numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  await waitFor(
    async () => {
      const p = await partitionState(cluster, "w").catch(() => undefined);
      return p !== undefined && p.leaderId > 0 && p.isrNodes.length === 3;
    },
    15_000,
    "partition w-0 with a leader and three in sync",
  );
  const leader = cluster.node((await partitionState(cluster, "w")).leaderId as number);
  const producer = await RawClient.connect(leader.port);
  const consumer = await RawClient.connect(leader.port);
  defer(t, () => {
    producer.close();
    consumer.close();
  });

  // A first write: both followers are fetching, and then park in their long polls.
  const first = await produce(producer, "first");
  assert.equal(first.responses[0]!.partitionResponses[0]!.errorCode, 0);
  await new Promise((r) => setTimeout(r, 300));

  const fetchStarted = performance.now();
  const fetched = consumer.request(ApiKey.Fetch, 11, {
    replicaId: -1,
    maxWaitMs: CONSUMER_WAIT_MS,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: "w",
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 1,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  }) as unknown as Promise<FetchResponse>;
  let fetchedAt = 0;
  void fetched.then(() => {
    fetchedAt = performance.now();
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(fetchedAt, 0, "the consumer fetch parks while there is nothing below the HW");

  const sent = performance.now();
  const second = await produce(producer, "second");
  const acked = performance.now() - sent;
  assert.equal(second.responses[0]!.partitionResponses[0]!.errorCode, 0);
  const res = await fetched;
  const consumed = performance.now() - sent;
  const p = res.responses[0]!.partitions[0]!;
  assert.equal(p.errorCode, 0);
  assert.equal(Number(p.highWatermark), 2);
  assert.deepEqual(
    parseBatches(p.records!).map((r) => [r.offset, r.value!.toString()]),
    [[1, "second"]],
  );
  assert.ok(
    acked < BOUND_MS && consumed < BOUND_MS,
    `acks=all answered in ${acked.toFixed(0)} ms and the parked fetch in ${consumed.toFixed(0)} ms (fetch parked ${(sent - fetchStarted).toFixed(0)} ms before the write); a follower poll would take ${FOLLOWER_WAIT_MS} ms`,
  );
});
