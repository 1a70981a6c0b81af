import assert from "node:assert/strict";
import { test } from "node:test";
import { buildBatch, parseBatches } from "../../../../engines/log/records/batch-builder.ts";
import {
  batchLastOffset,
  checkBatch,
  Off,
  stampBatch,
} from "../../../../engines/log/records/record-batch.ts";

const batch = () =>
  buildBatch(
    [
      { key: Buffer.from("k"), value: Buffer.from("v1"), headers: [{ key: "h", value: Buffer.from("x") }] },
      { value: Buffer.from("v2"), timestampDelta: 5 },
      { value: null },
    ],
    { baseTimestamp: 1000 },
  );

test("a built batch validates and parses back", () => {
  const b = batch();
  const c = checkBatch(b, 0);
  assert.deepEqual(c, { ok: true, size: b.length, lastOffsetDelta: 2, maxTimestamp: 1005 });
  const recs = parseBatches(b);
  assert.deepEqual(
    recs.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null]),
    [
      [0, 1000, "k", "v1"],
      [1, 1005, null, "v2"],
      [2, 1000, null, null],
    ],
  );
  assert.equal(recs[0]!.headers[0]!.value!.toString(), "x");
});

test("stamping base offset and leader epoch keeps the CRC valid", () => {
  const b = batch();
  stampBatch(b, 0, 2 ** 35, 7);
  assert.ok(checkBatch(b, 0).ok);
  assert.equal(batchLastOffset(b, 0), 2 ** 35 + 2);
  assert.equal(b.readInt32BE(Off.partitionLeaderEpoch), 7);
  assert.equal(parseBatches(b)[2]!.offset, 2 ** 35 + 2);
});

test("corruption is detected: flipped payload byte, wrong magic, truncation, bad length", () => {
  const flipped = batch();
  flipped[flipped.length - 3]! ^= 0x01;
  assert.deepEqual(checkBatch(flipped, 0), { ok: false, reason: "bad-crc" });
  const magic = batch();
  magic[Off.magic] = 1;
  assert.deepEqual(checkBatch(magic, 0), { ok: false, reason: "bad-magic" });
  const b = batch();
  assert.deepEqual(checkBatch(b.subarray(0, b.length - 1), 0), { ok: false, reason: "truncated" });
  const len = batch();
  len.writeInt32BE(3, Off.batchLength);
  assert.deepEqual(checkBatch(len, 0), { ok: false, reason: "bad-length" });
});
