import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildBatch, parseBatches } from "../../../../engines/log/records/batch-builder.ts";
import { defaultLogConfig, type LogConfig } from "../../../../engines/log/storage/log-config.ts";
import { PartitionLog } from "../../../../engines/log/storage/partition-log.ts";
import { segmentFileName } from "../../../../engines/log/storage/segment.ts";
import { tempDir } from "../helpers/tmp.ts";

const cfg = (over: Partial<LogConfig> = {}): LogConfig => ({ ...defaultLogConfig, ...over });
const batchOf = (values: string[], ts = Date.now()) =>
  buildBatch(
    values.map((v) => ({ value: Buffer.from(v) })),
    { baseTimestamp: ts },
  );
const values = (buf: Buffer | null) =>
  buf ? parseBatches(buf).map((r) => [r.offset, r.value!.toString()]) : [];

function fill(log: PartitionLog, batches: number, perBatch = 3): void {
  for (let b = 0; b < batches; b++) {
    const r = log.append(batchOf(Array.from({ length: perBatch }, (_, i) => `b${b}r${i}`)));
    assert.equal(r.errorCode, 0);
    log.advanceHighWatermark(log.logEndOffset);
  }
}

test("append assigns contiguous offsets and reads return whole batches from any offset", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, "t", 0, cfg());
  const a = log.append(batchOf(["a", "b", "c"]));
  const b = log.append(batchOf(["d", "e"]));
  assert.deepEqual(a, { errorCode: 0, baseOffset: 0, lastOffset: 2 });
  assert.deepEqual(b, { errorCode: 0, baseOffset: 3, lastOffset: 4 });
  assert.equal(log.logEndOffset, 5);
  // Nothing is visible before the high watermark moves.
  assert.equal(log.read(0, 1 << 20).records, null);
  log.advanceHighWatermark(3);
  assert.deepEqual(values(log.read(0, 1 << 20).records), [
    [0, "a"],
    [1, "b"],
    [2, "c"],
  ]);
  log.advanceHighWatermark(5);
  // Offset 4 lies inside the second batch: the whole batch comes back.
  assert.deepEqual(
    values(log.read(4, 1 << 20).records).map((x) => x[0]),
    [3, 4],
  );
  // max bytes 1 still returns one whole batch, never a partial one.
  assert.deepEqual(
    values(log.read(0, 1).records).map((x) => x[0]),
    [0, 1, 2],
  );
  // A limit that fits the first batch but not both stops after the first.
  const firstSize = log.read(0, 1).records!.length;
  assert.equal(log.read(0, firstSize + 10).records!.length, firstSize);
  assert.deepEqual(
    values(log.read(0, 1 << 20).records).map((x) => x[0]),
    [0, 1, 2, 3, 4],
  );
  // Without the "at least one batch" allowance, a batch over the limit is not returned.
  assert.equal(log.read(0, 10, false).records, null);
  assert.equal(log.read(5, 100).records, null);
  assert.equal(log.read(6, 100).errorCode, 1); // OFFSET_OUT_OF_RANGE
  log.close();
});

test("invalid batches are refused and nothing is appended", (t) => {
  const log = PartitionLog.open(tempDir(t), "t", 0, cfg({ maxMessageBytes: 500 }));
  const bad = batchOf(["x"]);
  bad[bad.length - 1]! ^= 0xff;
  assert.equal(log.append(bad).errorCode, 2); // CORRUPT_MESSAGE
  const twoBatches = Buffer.concat([batchOf(["a"]), batchOf(["b"])]);
  assert.equal(log.append(twoBatches).errorCode, 87); // INVALID_RECORD
  assert.equal(log.append(batchOf(["y".repeat(600)])).errorCode, 10); // MESSAGE_TOO_LARGE
  assert.equal(log.logEndOffset, 0);
  log.close();
});

test("segments roll by size, the sparse index finds offsets in every segment", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, "t", 0, cfg({ segmentBytes: 1000, indexIntervalBytes: 150 }));
  fill(log, 40);
  assert.ok(log.segmentCount >= 3, `expected several segments, got ${log.segmentCount}`);
  for (const off of [0, 1, 50, 59, 60, 61, 100, 119]) {
    const recs = parseBatches(log.read(off, 10).records!);
    assert.ok(recs[0]!.offset <= off && recs.at(-1)!.offset >= off, `offset ${off}`);
    assert.equal(recs.find((r) => r.offset === off)!.value!.toString(), `b${Math.floor(off / 3)}r${off % 3}`);
  }
  // Reading everything walks across segment boundaries, batch by batch.
  let next = 0;
  while (next < log.logEndOffset) {
    const recs = parseBatches(log.read(next, 350).records!);
    assert.equal(recs[0]!.offset, next);
    next = recs.at(-1)!.offset + 1;
  }
  assert.equal(next, 120);
  log.close();
  const files = readdirSync(join(dir, "t-0"));
  assert.ok(files.includes(segmentFileName(0)) && files.some((f) => f.endsWith(".index")));
});

test("restart recovers every segment and continues the offsets", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, "t", 0, cfg({ segmentBytes: 1000 }));
  fill(log, 30);
  log.close();
  const again = PartitionLog.open(dir, "t", 0, cfg({ segmentBytes: 1000 }));
  assert.equal(again.logEndOffset, 90);
  assert.equal(again.highWatermark, 90);
  assert.equal(again.recovery?.stoppedBy, undefined);
  assert.deepEqual(again.append(batchOf(["z"])), { errorCode: 0, baseOffset: 90, lastOffset: 90 });
  again.advanceHighWatermark(91);
  assert.equal(parseBatches(again.read(90, 100).records!)[0]!.value!.toString(), "z");
  again.close();
});

test("a torn tail is truncated on restart and never served", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, "t", 0, cfg());
  fill(log, 5); // offsets 0..14
  log.close();
  const seg = join(dir, "t-0", segmentFileName(0));
  const full = statSync(seg).size;
  // Simulate a crash in the middle of writing a sixth batch: only part of it reached the disk.
  const partial = batchOf(["torn1", "torn2"]).subarray(0, 40);
  appendFileSync(seg, partial);
  const again = PartitionLog.open(dir, "t", 0, cfg());
  assert.equal(again.recovery?.stoppedBy, "truncated header");
  assert.equal(statSync(seg).size, full);
  assert.equal(again.logEndOffset, 15);
  const all = parseBatches(again.read(0, 1 << 20).records!);
  assert.equal(all.length, 15);
  assert.ok(all.every((r) => !r.value!.toString().startsWith("torn")));
  // The next append overwrites the former tail cleanly.
  assert.equal(again.append(batchOf(["after"])).errorCode, 0);
  again.close();
  const third = PartitionLog.open(dir, "t", 0, cfg());
  assert.equal(third.logEndOffset, 16);
  third.close();
});

test("a corrupt CRC in the tail truncates from the bad batch on", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, "t", 0, cfg());
  fill(log, 4); // batches at offsets 0,3,6,9
  log.close();
  const seg = join(dir, "t-0", segmentFileName(0));
  const data = readFileSync(seg);
  const batchBytes = data.length / 4;
  data[Math.floor(2.5 * batchBytes)]! ^= 0x5a; // inside batch 3 (offsets 6..8)
  writeFileSync(seg, data);
  const again = PartitionLog.open(dir, "t", 0, cfg());
  assert.equal(again.recovery?.stoppedBy, "bad-crc");
  assert.equal(again.logEndOffset, 6);
  assert.equal(statSync(seg).size, 2 * batchBytes);
  assert.deepEqual(
    parseBatches(again.read(0, 1 << 20).records!).map((r) => r.offset),
    [0, 1, 2, 3, 4, 5],
  );
  again.close();
});

test("a garbage length field or a zeroed tail (preallocated pages) is cut off", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, "t", 0, cfg());
  fill(log, 2);
  log.close();
  const seg = join(dir, "t-0", segmentFileName(0));
  const size = statSync(seg).size;
  appendFileSync(seg, Buffer.alloc(4096));
  const again = PartitionLog.open(dir, "t", 0, cfg());
  assert.equal(again.logEndOffset, 6);
  assert.equal(statSync(seg).size, size);
  again.close();
  truncateSync(seg, size - 1);
  const third = PartitionLog.open(dir, "t", 0, cfg());
  assert.equal(third.logEndOffset, 3);
  third.close();
});

test("retention by size deletes oldest closed segments and moves the log start", (t) => {
  const log = PartitionLog.open(tempDir(t), "t", 0, cfg({ segmentBytes: 1000, retentionBytes: 2500 }));
  fill(log, 40);
  const before = log.segmentCount;
  const deleted = log.applyRetention();
  assert.ok(deleted > 0 && log.segmentCount === before - deleted);
  assert.ok(log.sizeBytes < 2500 + 1000);
  assert.ok(log.logStartOffset > 0);
  assert.equal(log.read(0, 100).errorCode, 1); // below the log start: OFFSET_OUT_OF_RANGE
  assert.equal(parseBatches(log.read(log.logStartOffset, 100).records!)[0]!.offset, log.logStartOffset);
  log.close();
});

test("retention by time deletes segments whose newest record is too old, never the active one", (t) => {
  const log = PartitionLog.open(tempDir(t), "t", 0, cfg({ segmentBytes: 300, retentionMs: 60_000 }));
  const old = Date.now() - 3_600_000;
  for (let i = 0; i < 6; i++) log.append(batchOf([`old${i}`, "x", "y"], old));
  log.append(batchOf(["new"]));
  const n = log.segmentCount;
  assert.ok(n >= 3);
  // Nothing above the HW is deleted (followers and consumers have not read it yet).
  assert.equal(log.applyRetention(), 0);
  log.advanceHighWatermark(log.logEndOffset);
  log.applyRetention();
  assert.equal(log.segmentCount, 1);
  assert.equal(log.logStartOffset, 18);
  log.close();
});

test("flush.messages fsyncs after that many records", (t) => {
  const log = PartitionLog.open(tempDir(t), "t", 0, cfg({ flushMessages: 5 }));
  let flushes = 0;
  const orig = log.flush.bind(log);
  log.flush = () => {
    flushes++;
    orig();
  };
  log.append(batchOf(["1", "2", "3"]));
  assert.equal(flushes, 0);
  log.append(batchOf(["4", "5"]));
  assert.equal(flushes, 1);
  log.append(batchOf(["6"]));
  log.maybeFlushByTime(Date.now() + 10);
  assert.equal(flushes, 1); // flush.ms is infinite by default
  log.config = { ...log.config, flushMs: 5 };
  log.maybeFlushByTime(Date.now() + 10);
  assert.equal(flushes, 2);
  log.close();
});

test("the high watermark wakes listeners and never moves past the LEO or backwards", (t) => {
  const log = PartitionLog.open(tempDir(t), "t", 0, cfg());
  let woken = 0;
  const off = log.onHighWatermark(() => woken++);
  log.append(batchOf(["a"]));
  log.advanceHighWatermark(100);
  assert.equal(log.highWatermark, 1);
  log.advanceHighWatermark(0);
  assert.equal(log.highWatermark, 1);
  assert.equal(woken, 1);
  off();
  log.append(batchOf(["b"]));
  log.advanceHighWatermark(2);
  assert.equal(woken, 1);
  log.close();
});

test("offsetForTimestamp finds the first batch at or after a time", (t) => {
  const log = PartitionLog.open(tempDir(t), "t", 0, cfg());
  log.append(batchOf(["a"], 1000));
  log.append(batchOf(["b"], 2000));
  log.append(batchOf(["c"], 3000));
  assert.equal(log.offsetForTimestamp(1500), 1);
  assert.equal(log.offsetForTimestamp(3000), 2);
  assert.equal(log.offsetForTimestamp(9000), 3);
  log.close();
});

test("truncateTo cuts at the batch holding the offset, across segments, and survives restart", (t) => {
  const dir = tempDir(t);
  const config = cfg({ segmentBytes: 300 });
  const log = PartitionLog.open(dir, "t", 0, config);
  fill(log, 12); // batches of 3: 0-2, 3-5, ... 33-35, over several segments
  const segmentsBefore = log.segmentCount;
  log.truncateTo(10); // inside batch 9-11
  assert.equal(log.logEndOffset, 9);
  assert.equal(log.highWatermark, 9);
  assert.ok(log.segmentCount < segmentsBefore);
  assert.deepEqual(log.append(batchOf(["new"])), { errorCode: 0, baseOffset: 9, lastOffset: 9 });
  log.advanceHighWatermark(10);
  const all: number[] = [];
  for (let next = 0; next < log.logEndOffset; ) {
    const recs = parseBatches(log.read(next, 1 << 20).records!);
    all.push(...recs.map((r) => r.offset));
    next = recs.at(-1)!.offset + 1;
  }
  assert.deepEqual(all, [...Array(10).keys()]);
  log.close();
  const again = PartitionLog.open(dir, "t", 0, config);
  assert.equal(again.logEndOffset, 10);
  again.close();
});

test("after an unclean shutdown a corrupt closed segment is truncated and later segments dropped", (t) => {
  const dir = tempDir(t);
  const config = cfg({ segmentBytes: 300 });
  const log = PartitionLog.open(dir, "t", 0, config);
  fill(log, 12);
  const segments = log.segmentCount;
  log.close();
  const files = readdirSync(join(dir, "t-0"))
    .filter((f) => f.endsWith(".log"))
    .sort();
  assert.ok(files.length >= 3);
  const second = join(dir, "t-0", files[1]!);
  const data = readFileSync(second);
  data[data.length - 5]! ^= 0xff; // damage the last batch of the second segment
  writeFileSync(second, data);
  // A clean start trusts closed segments (they were fsynced on roll)...
  const trusting = PartitionLog.open(dir, "t", 0, config);
  assert.equal(trusting.segmentCount, segments);
  trusting.close();
  // ...a start after a crash validates them all.
  const recovered = PartitionLog.open(dir, "t", 0, config, true);
  assert.equal(recovered.recovery?.stoppedBy, "bad-crc");
  assert.equal(recovered.segmentCount, 2);
  const secondBase = Number(files[1]!.slice(0, 20));
  assert.ok(recovered.logEndOffset > secondBase && recovered.logEndOffset < 36);
  assert.equal(readdirSync(join(dir, "t-0")).filter((f) => f.endsWith(".log")).length, 2);
  let next = 0;
  while (next < recovered.logEndOffset) {
    const recs = parseBatches(recovered.read(next, 1 << 20).records!);
    next = recs.at(-1)!.offset + 1;
  }
  assert.equal(next, recovered.logEndOffset);
  assert.equal(recovered.append(batchOf(["x"])).errorCode, 0);
  recovered.close();
});

test("truncateFullyAndStartAt empties the log and restarts it at the offset, also after a reopen", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, "t", 0, cfg({ segmentBytes: 300 }));
  fill(log, 5);
  const pid = buildBatch([{ value: Buffer.from("idem") }], {
    producerId: 7,
    producerEpoch: 0,
    baseSequence: 0,
  });
  assert.equal(log.append(pid).errorCode, 0);
  log.advanceHighWatermark(log.logEndOffset);
  assert.ok(log.segmentCount > 1);
  assert.equal(log.producers.size, 1);

  log.truncateFullyAndStartAt(100);
  assert.equal(log.logStartOffset, 100);
  assert.equal(log.logEndOffset, 100);
  assert.equal(log.highWatermark, 100);
  assert.equal(log.segmentCount, 1);
  assert.equal(log.sizeBytes, 0);
  assert.equal(log.producers.size, 0, "producer state of deleted batches is gone");
  assert.deepEqual(
    readdirSync(join(dir, "t-0"))
      .filter((f) => f.endsWith(".log") || f.endsWith(".index"))
      .sort(),
    [segmentFileName(100).replace(".log", ".index"), segmentFileName(100)],
  );
  assert.equal(log.read(99, 1000).errorCode, 1, "below the new start: OFFSET_OUT_OF_RANGE");
  assert.deepEqual(log.read(100, 1000), { errorCode: 0, records: null });
  // Appends (leader or replicated) continue from the new start.
  const a = log.append(batchOf(["x", "y"]));
  assert.deepEqual(a, { errorCode: 0, baseOffset: 100, lastOffset: 101 });
  log.advanceHighWatermark(log.logEndOffset);
  log.close();

  const again = PartitionLog.open(dir, "t", 0, cfg({ segmentBytes: 300 }));
  assert.equal(again.logStartOffset, 100);
  assert.equal(again.logEndOffset, 102);
  assert.deepEqual(values(again.read(100, 1 << 20, true, again.logEndOffset).records), [
    [100, "x"],
    [101, "y"],
  ]);
  assert.equal(again.append(batchOf(["z"])).errorCode, 0);
  assert.equal(again.logEndOffset, 103);
  again.close();

  // A reopen right after the reset (nothing appended yet) starts there too.
  const empty = PartitionLog.open(dir, "u", 0, cfg());
  fill(empty, 2);
  empty.truncateFullyAndStartAt(50);
  empty.close();
  const reopened = PartitionLog.open(dir, "u", 0, cfg());
  assert.equal(reopened.logStartOffset, 50);
  assert.equal(reopened.logEndOffset, 50);
  assert.deepEqual(reopened.append(batchOf(["first"])), { errorCode: 0, baseOffset: 50, lastOffset: 50 });
  reopened.close();
});

test("a follower's fetched batches are written in one go, rolling segments between them, and survive a restart", (t) => {
  const leaderDir = tempDir(t);
  const followerDir = tempDir(t);
  const leader = PartitionLog.open(leaderDir, "t", 0, cfg());
  fill(leader, 12, 4);
  const fetched = leader.read(0, 1 << 20, true, leader.logEndOffset).records!;
  const batchBytes = leader.read(0, 1).records!.length;
  // Segments of about three batches: the fetched run is cut at each roll.
  const follower = PartitionLog.open(followerDir, "t", 0, cfg({ segmentBytes: batchBytes * 3 }));
  const epochs: number[] = [];
  const r = follower.appendReplicated(fetched, (base) => epochs.push(base));
  assert.deepEqual(r, { errorCode: 0, baseOffset: 0, lastOffset: 47 });
  assert.deepEqual(
    epochs,
    Array.from({ length: 12 }, (_, i) => i * 4),
  );
  assert.equal(follower.logEndOffset, 48);
  // The same segments, byte for byte, as appending the batches one at a time.
  const oneByOne = PartitionLog.open(tempDir(t), "t", 0, cfg({ segmentBytes: batchBytes * 3 }));
  for (let pos = 0; pos < fetched.length; ) {
    const size = fetched.readInt32BE(pos + 8) + 12;
    oneByOne.appendReplicated(fetched.subarray(pos, pos + size));
    pos += size;
  }
  assert.ok(follower.segmentCount >= 4, `expected several segments, got ${follower.segmentCount}`);
  assert.equal(follower.segmentCount, oneByOne.segmentCount);
  const files = (d: string) =>
    readdirSync(join(d, "t-0"))
      .filter((f) => f.endsWith(".log"))
      .sort()
      .map((f) => readFileSync(join(d, "t-0", f)).toString("hex"));
  assert.deepEqual(files(followerDir), files(oneByOne.dir.slice(0, -"/t-0".length)));
  oneByOne.close();
  follower.advanceHighWatermark(48);
  const all: Array<[number, string]> = [];
  while (all.length < 48) {
    const got = values(follower.read(all.length, 1 << 20).records) as Array<[number, string]>;
    assert.ok(got.length > 0, `nothing read at ${all.length}`);
    all.push(...got);
  }
  assert.deepEqual(
    all.map((x) => x[0]),
    Array.from({ length: 48 }, (_, i) => i),
  );
  // Every segment's index finds its batches.
  assert.deepEqual(values(follower.read(37, 1).records)[0], [36, "b9r0"]);
  const segments = follower.segmentCount;
  follower.close();
  const reopened = PartitionLog.open(followerDir, "t", 0, cfg({ segmentBytes: batchBytes * 3 }));
  assert.equal(reopened.logEndOffset, 48);
  assert.equal(reopened.segmentCount, segments);
  assert.deepEqual(values(reopened.read(44, 1, true, 48).records)[3], [47, "b11r3"]);
  // A batch that does not continue the log ends the append; what came before it is written.
  const more = leader.read(0, 1 << 20, true, leader.logEndOffset).records!;
  const again = reopened.appendReplicated(more);
  assert.deepEqual(again, { errorCode: 0, baseOffset: -1, lastOffset: -1 });
  assert.equal(reopened.logEndOffset, 48);
  reopened.close();
  leader.close();
});
