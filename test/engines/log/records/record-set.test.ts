import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { buildBatch, parseBatches } from "../../../../engines/log/records/batch-builder.ts";
import { crc32c } from "../../../../engines/log/records/crc32c.ts";
import { BATCH_HEADER_BYTES, checkBatch, Off } from "../../../../engines/log/records/record-batch.ts";
import { filterBatch, hasKeylessRecord, readRecords } from "../../../../engines/log/records/record-set.ts";

const batch = () =>
  buildBatch(
    [
      { key: Buffer.from("a"), value: Buffer.from("1") },
      { key: Buffer.from("b"), value: null },
      { key: Buffer.from("c"), value: Buffer.from("3") },
    ],
    { baseOffset: 100, producerId: 5, producerEpoch: 1, baseSequence: 40, leaderEpoch: 3 },
  );

/** The same records gzip-compressed, as a client would send them (codec 1). */
function gzipped(b: Buffer): Buffer {
  const body = gzipSync(b.subarray(BATCH_HEADER_BYTES));
  const out = Buffer.concat([b.subarray(0, BATCH_HEADER_BYTES), body]);
  out.writeInt32BE(out.length - 12, Off.batchLength);
  out.writeInt16BE(1, Off.attributes);
  out.writeUInt32BE(crc32c(out, Off.attributes, out.length), Off.crc);
  return out;
}

test("readRecords gives each record's offset, key and tombstone flag (uncompressed and gzip)", () => {
  for (const b of [batch(), gzipped(batch())]) {
    const r = readRecords(b, 0, b.length)!;
    assert.deepEqual(
      r.records.map((x) => [x.offset, x.key?.toString(), x.tombstone]),
      [
        [100, "a", false],
        [101, "b", true],
        [102, "c", false],
      ],
    );
  }
  const snappy = batch();
  snappy.writeInt16BE(2, Off.attributes);
  assert.equal(readRecords(snappy, 0, snappy.length), undefined);
  assert.equal(hasKeylessRecord(batch(), 0, batch().length), false);
  const keyless = buildBatch([{ key: Buffer.from("a"), value: null }, { value: Buffer.from("x") }]);
  assert.equal(hasKeylessRecord(keyless, 0, keyless.length), true);
});

test("filterBatch keeps the header (offsets, producer, sequence, epoch), fixes length, count and CRC", () => {
  for (const b of [batch(), gzipped(batch())]) {
    const r = readRecords(b, 0, b.length)!;
    const out = filterBatch(b, 0, r.bytes, [r.records[0]!, r.records[2]!]);
    const check = checkBatch(out, 0);
    assert.equal(check.ok, true);
    assert.equal(check.ok && check.size, out.length);
    for (const f of [
      "baseOffset",
      "partitionLeaderEpoch",
      "lastOffsetDelta",
      "baseTimestamp",
      "maxTimestamp",
    ] as const)
      assert.equal(out.readInt32BE(Off[f]), b.readInt32BE(Off[f]), f);
    assert.equal(out.readInt32BE(Off.baseSequence), 40);
    assert.equal(out.readInt16BE(Off.producerEpoch), 1);
    assert.equal(out.readInt32BE(Off.recordsCount), 2);
    const again = readRecords(out, 0, out.length)!;
    assert.deepEqual(
      again.records.map((x) => [x.offset, x.key?.toString()]),
      [
        [100, "a"],
        [102, "c"],
      ],
    );
  }
  const plain = filterBatch(batch(), 0, readRecords(batch(), 0, batch().length)!.bytes, []);
  assert.deepEqual(parseBatches(plain), []);
});
