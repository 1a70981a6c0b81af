import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode as E } from "../../../../engines/log/protocol/error-codes.ts";
import { buildBatch, parseBatches } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { createTopicsBody, rawBroker } from "../helpers/raw.ts";
import { defer } from "../helpers/tmp.ts";

const produce = (topic: string, partition: number, values: string[], baseTimestamp = Date.now()) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 1000,
  topicData: [
    {
      name: topic,
      partitionData: [
        {
          index: partition,
          records: buildBatch(
            values.map((v) => ({ value: Buffer.from(v) })),
            { baseTimestamp },
          ),
        },
      ],
    },
  ],
});

const fetchBody = (
  topic: string,
  parts: Array<[number, number]>,
  maxBytes: number,
  partitionMaxBytes: number,
) => ({
  replicaId: -1,
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic,
      partitions: parts.map(([partition, fetchOffset]) => ({
        partition,
        currentLeaderEpoch: -1,
        fetchOffset,
        logStartOffset: -1,
        partitionMaxBytes,
      })),
    },
  ],
  forgottenTopicsData: [],
  rackId: "",
});

test("fetch honours partition and total byte limits but always returns a first whole batch", async (t) => {
  const { call } = await rawBroker(t);
  await call(19, 3, createTopicsBody([{ name: "f", numPartitions: 2 }]));
  for (let i = 0; i < 5; i++) await call(0, 7, produce("f", 0, [`p0-${i}`.padEnd(200, "x")]));
  for (let i = 0; i < 5; i++) await call(0, 7, produce("f", 1, [`p1-${i}`.padEnd(200, "x")]));
  const all = await call(
    1,
    11,
    fetchBody(
      "f",
      [
        [0, 0],
        [1, 0],
      ],
      1 << 20,
      1 << 20,
    ),
  );
  const count = (p: { records: Buffer | null }) => (p.records ? parseBatches(p.records).length : 0);
  assert.deepEqual(all.responses[0].partitions.map(count), [5, 5]);
  // A tiny budget: one whole batch from the first partition, nothing from the second.
  const tiny = await call(
    1,
    11,
    fetchBody(
      "f",
      [
        [0, 0],
        [1, 0],
      ],
      10,
      10,
    ),
  );
  assert.deepEqual(tiny.responses[0].partitions.map(count), [1, 0]);
  // A budget of ~2.5 batches across partitions.
  const size = all.responses[0].partitions[0].records.length / 5;
  const some = await call(
    1,
    11,
    fetchBody(
      "f",
      [
        [0, 0],
        [1, 0],
      ],
      Math.floor(size * 2.5),
      1 << 20,
    ),
  );
  assert.deepEqual(some.responses[0].partitions.map(count), [2, 0]);
  const hw = all.responses[0].partitions[0].highWatermark;
  assert.equal(hw, 5);
  const beyond = await call(1, 11, fetchBody("f", [[0, 6]], 1000, 1000));
  assert.equal(beyond.responses[0].partitions[0].errorCode, E.OFFSET_OUT_OF_RANGE);
  const atEnd = await call(1, 11, fetchBody("f", [[0, 5]], 1000, 1000));
  // Caught up: an empty record set, never null (librdkafka rejects MessageSetSize −1).
  assert.equal(atEnd.responses[0].partitions[0].errorCode, 0);
  assert.equal(atEnd.responses[0].partitions[0].records.length, 0);
});

test("ListOffsets: latest, earliest and by timestamp", async (t) => {
  const { call } = await rawBroker(t);
  await call(19, 3, createTopicsBody([{ name: "lo" }]));
  await call(0, 7, produce("lo", 0, ["a", "b"], 1000));
  await call(0, 7, produce("lo", 0, ["c"], 5000));
  const ask = async (timestamp: number) =>
    (
      await call(2, 3, {
        replicaId: -1,
        isolationLevel: 1,
        topics: [{ name: "lo", partitions: [{ partitionIndex: 0, timestamp }] }],
      })
    ).topics[0].partitions[0];
  assert.equal((await ask(-1)).offset, 3);
  assert.equal((await ask(-2)).offset, 0);
  assert.equal((await ask(3000)).offset, 2);
  assert.equal((await ask(99_999)).offset, 3);
  const unknown = await call(2, 3, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: "nope", partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
  });
  assert.equal(unknown.topics[0].partitions[0].errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
});

test("produce to a missing topic or partition is refused; a corrupt batch is rejected", async (t) => {
  const { call } = await rawBroker(t);
  await call(19, 3, createTopicsBody([{ name: "pp" }]));
  const missing = await call(0, 7, produce("pp", 3, ["x"]));
  assert.equal(missing.responses[0].partitionResponses[0].errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
  const body = produce("pp", 0, ["x"]);
  const rec = body.topicData[0]!.partitionData[0]!.records;
  rec[rec.length - 1]! ^= 1;
  const bad = await call(0, 7, body);
  assert.equal(bad.responses[0].partitionResponses[0].errorCode, E.CORRUPT_MESSAGE);
});

test("min_bytes holds a fetch until enough data has arrived", async (t) => {
  const { call, broker } = await rawBroker(t);
  await call(19, 3, createTopicsBody([{ name: "mb" }]));
  const producer = await RawClient.connect(broker.port);
  defer(t, () => producer.close());
  const body = { ...fetchBody("mb", [[0, 0]], 1 << 20, 1 << 20), maxWaitMs: 10_000, minBytes: 600 };
  const t0 = Date.now();
  let answered = false;
  const parked = call(1, 11, body).then((r) => {
    answered = true;
    return r;
  });
  // Each batch is ~270 bytes: the first two are not enough, the third is.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(answered, false, `answered after only ${i} batches`);
    await producer.request(0, 7, produce("mb", 0, [`v${i}`.padEnd(200, "y")]));
  }
  const r = await parked;
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(parseBatches(r.responses[0].partitions[0].records).length, 3);
});
