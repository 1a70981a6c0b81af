import assert from "node:assert/strict";
import { test } from "node:test";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { defaultLogConfig } from "../../../../engines/log/storage/log-config.ts";
import { PartitionLog } from "../../../../engines/log/storage/partition-log.ts";
import { TailCache } from "../../../../engines/log/storage/tail-cache.ts";
import { tempDir } from "../helpers/tmp.ts";

const batch = (n: number, tag: string) =>
  buildBatch(Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`${tag}-${i}`.padEnd(20, "x")) })));

test("reads at the tail from memory return exactly what the segment files return", (t) => {
  const cached = PartitionLog.open(tempDir(t), "t", 0, { ...defaultLogConfig, indexIntervalBytes: 256 });
  const plain = PartitionLog.open(tempDir(t), "t", 0, { ...defaultLogConfig, indexIntervalBytes: 256 });
  cached.cacheTail(1 << 20);
  for (let b = 0; b < 40; b++) {
    const x = batch(1 + (b % 5), `b${b}`);
    assert.equal(cached.append(Buffer.from(x)).errorCode, 0);
    assert.equal(plain.append(Buffer.from(x)).errorCode, 0);
  }
  const leo = plain.logEndOffset;
  for (let offset = 0; offset <= leo; offset += 3) {
    for (const maxBytes of [1, 100, 300, 1000, 1 << 20]) {
      for (const upTo of [offset, offset + 4, leo - 2, leo]) {
        for (const minOne of [true, false]) {
          const a = cached.read(offset, maxBytes, minOne, upTo);
          const b = plain.read(offset, maxBytes, minOne, upTo);
          assert.deepEqual(a, b, `offset ${offset} maxBytes ${maxBytes} upTo ${upTo} minOne ${minOne}`);
        }
      }
    }
  }
});

test("truncation, replicated appends and turning it off drop the cached tail", (t) => {
  const log = PartitionLog.open(tempDir(t), "t", 0, defaultLogConfig);
  log.cacheTail(1 << 20);
  for (let b = 0; b < 5; b++) log.append(batch(2, `b${b}`));
  log.truncateTo(6);
  assert.equal(log.logEndOffset, 6);
  // Offset 6 is rewritten: the read must see the new batch, not the truncated one.
  log.append(batch(2, "new"));
  const r = log.read(6, 1 << 20, true, log.logEndOffset);
  assert.ok(r.records?.includes(Buffer.from("new-0")));
  assert.ok(!r.records?.includes(Buffer.from("b3-0")));
  log.cacheTail(0);
  assert.ok(log.read(6, 1 << 20, true, log.logEndOffset).records?.includes(Buffer.from("new-0")));
});

test("the cache pins at most its bound, counting each entry's whole backing buffer", () => {
  const c = new TailCache(10_000);
  const frame = Buffer.alloc(4000);
  c.add(0, 0, frame.subarray(0, 100));
  c.add(1, 1, frame.subarray(100, 200));
  assert.ok(c.read(0, 1 << 20, 2, true));
  c.add(2, 2, frame.subarray(200, 300));
  // Three entries of a 4000-byte frame exceed 10,000: the oldest went.
  assert.equal(c.read(0, 1 << 20, 3, true), undefined);
  assert.equal(c.read(1, 1 << 20, 3, true)?.length, 200);
  // A gap restarts the cache; a buffer larger than the bound is not kept.
  c.add(7, 7, Buffer.alloc(50));
  assert.equal(c.read(2, 1 << 20, 8, true), undefined);
  c.add(8, 8, Buffer.alloc(20_000));
  assert.equal(c.read(7, 1 << 20, 9, true), undefined);
});
