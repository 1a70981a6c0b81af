import assert from "node:assert/strict";
import { test } from "node:test";
import {
  batchTemplate,
  dueRange,
  firstValue,
  readStampedBatches,
  STAMP_BYTES,
  stampBatch,
} from "../../../bench/log-e2e/stamp.ts";
import { parseBatches } from "../../../engines/log/records/batch-builder.ts";
import { checkBatch, Off, readInt64, writeInt64 } from "../../../engines/log/records/record-batch.ts";

const stamp = { firstDueNs: 123_456_789_012_345n, spacingNs: 1234.5, sentNs: 123_456_799_000_000n };

test("a stamped batch keeps a valid CRC, the record count and the records' size; the template is untouched", () => {
  const tpl = batchTemplate(5, 100);
  const copy = Buffer.from(tpl);
  const b = stampBatch(tpl, stamp, 1_700_000_000_123);
  assert.deepEqual(tpl, copy);
  assert.equal(b.length, tpl.length);
  const check = checkBatch(b, 0);
  assert.equal(check.ok, true, JSON.stringify(check));
  const records = parseBatches(b);
  assert.equal(records.length, 5);
  assert.ok(records.every((r) => r.value?.length === 100 && r.timestamp === 1_700_000_000_123));
  assert.equal(readInt64(b, Off.maxTimestamp), 1_700_000_000_123);
  // The stamp sits in the first record's value.
  const v = records[0]!.value!;
  assert.equal(v.readBigInt64BE(0), stamp.firstDueNs);
  assert.equal(v.readDoubleBE(8), stamp.spacingNs);
  assert.equal(v.readBigInt64BE(16), stamp.sentNs);
});

test("firstValue finds the first record's value", () => {
  const b = batchTemplate(3, 40);
  const v = firstValue(b, 0);
  assert.equal(v.length, 40);
  assert.ok(b.subarray(v.pos, v.pos + 40).every((x) => x === 0x65));
});

test("records too short for the stamp are refused", () => {
  assert.throws(() => batchTemplate(1, STAMP_BYTES - 1), /at least 24 bytes/);
});

/** Batches as a fetch returns them: the broker has stamped base offsets. */
function stored(...batches: Array<{ base: number; n: number; due: bigint }>): Buffer {
  return Buffer.concat(
    batches.map(({ base, n, due }) => {
      const b = stampBatch(batchTemplate(n, 100), { ...stamp, firstDueNs: due }, 1);
      writeInt64(b, Off.baseOffset, base);
      return b;
    }),
  );
}

test("readStampedBatches reads each batch's stamp, count and next offset", () => {
  const got = readStampedBatches(stored({ base: 0, n: 4, due: 10n }, { base: 4, n: 2, due: 20n }), 0);
  assert.deepEqual(
    got.map((b) => [b.firstOffset, b.count, b.skip, b.nextOffset, b.firstDueNs]),
    [
      [0, 4, 0, 4, 10n],
      [4, 2, 0, 6, 20n],
    ],
  );
  assert.equal(got[0]!.spacingNs, stamp.spacingNs);
  assert.equal(got[0]!.sentNs, stamp.sentNs);
});

test("readStampedBatches skips records before the fetch offset and leaves a truncated batch", () => {
  const blob = stored({ base: 0, n: 4, due: 10n }, { base: 4, n: 2, due: 20n });
  const got = readStampedBatches(blob, 2);
  assert.deepEqual(
    got.map((b) => [b.firstOffset, b.count, b.skip]),
    [
      [2, 2, 2],
      [4, 2, 0],
    ],
  );
  assert.deepEqual(
    readStampedBatches(blob, 4).map((b) => b.firstOffset),
    [4],
  );
  // Cut inside the second batch (max bytes): only the whole first one is read.
  const cut = blob.subarray(0, blob.length - 10);
  assert.deepEqual(
    readStampedBatches(cut, 0).map((b) => b.nextOffset),
    [4],
  );
});

test("dueRange picks the records due inside [lo, hi), after the skipped ones", () => {
  // Records 0..4 due at 100, 110, 120, 130, 140.
  const b = { firstDueNs: 100n, spacingNs: 10, sentNs: 0n, firstOffset: 0, count: 5, skip: 0, nextOffset: 5 };
  assert.deepEqual(dueRange(b, 0n, 1000n), [0, 5]);
  assert.deepEqual(dueRange(b, 110n, 130n), [1, 3]);
  assert.deepEqual(dueRange(b, 111n, 130n), [2, 3]);
  assert.deepEqual(dueRange(b, 141n, 200n), [5, 5]);
  assert.deepEqual(dueRange(b, 0n, 100n), [0, 0]);
  // Two records skipped (fetched from offset 2): records 2..4 remain.
  assert.deepEqual(dueRange({ ...b, skip: 2, count: 3, firstOffset: 2 }, 0n, 1000n), [2, 5]);
});
