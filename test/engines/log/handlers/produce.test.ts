import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode as E } from "../../../../engines/log/protocol/error-codes.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { createTopicsBody, rawBroker } from "../helpers/raw.ts";

const body = (records: Buffer, version = 7) => ({
  ...(version >= 3 ? { transactionalId: null } : {}),
  acks: 1,
  timeoutMs: 1000,
  topicData: [{ name: "p", partitionData: [{ index: 0, records }] }],
});
const batch = (attributes = 0) => buildBatch([{ value: Buffer.from("v") }], { attributes });
const answer = (r: {
  responses: Array<{ partitionResponses: Array<{ errorCode: number; baseOffset: number }> }>;
}) => r.responses[0]!.partitionResponses[0]!;

test("Produce v0–2 are advertised (librdkafka compresses only then) but refused per partition", async (t) => {
  const { call } = await rawBroker(t);
  await call(19, 3, createTopicsBody([{ name: "p" }]));
  const versions = await call(18, 3, { clientSoftwareName: "t", clientSoftwareVersion: "1" });
  assert.deepEqual(
    versions.apiKeys.find((k: { apiKey: number }) => k.apiKey === 0),
    { apiKey: 0, minVersion: 0, maxVersion: 7 },
  );
  for (const v of [0, 1, 2]) {
    const r = await call(0, v, body(batch(), v));
    assert.equal(answer(r).errorCode, E.UNSUPPORTED_VERSION, `v${v}`);
  }
  assert.equal(answer(await call(0, 3, body(batch(), 3))).baseOffset, 0, "v3 appends");
});

test("compressed batches are stored verbatim; unknown codecs and zstd before v7 are refused", async (t) => {
  const { call } = await rawBroker(t);
  await call(19, 3, createTopicsBody([{ name: "p" }]));
  // gzip, snappy, lz4, zstd labels on an (unreadable) body: the broker never decompresses.
  for (const codec of [1, 2, 3, 4]) assert.equal(answer(await call(0, 7, body(batch(codec)))).errorCode, 0);
  assert.equal(answer(await call(0, 6, body(batch(4), 6))).errorCode, E.UNSUPPORTED_COMPRESSION_TYPE);
  assert.equal(answer(await call(0, 6, body(batch(1), 6))).errorCode, 0, "gzip on v6");
  for (const codec of [5, 6, 7])
    assert.equal(answer(await call(0, 7, body(batch(codec)))).errorCode, E.CORRUPT_MESSAGE);
});
