/**
 * Time stamps for the raw end-to-end benchmark, carried inside the record batches themselves.
 *
 * The producer sends pre-built batches of 100-byte records. Partition p of P receives every P-th
 * record of one open-loop schedule, so the records of one batch were due at evenly spaced times:
 * record k at `firstDueNs + k · spacingNs`. The first record's value carries those two numbers and
 * the moment the batch was written to the socket, so the consumer can compute every record's
 * latency from the batch header and one record, without decoding the rest. Times are
 * `process.hrtime.bigint()` nanoseconds: CLOCK_MONOTONIC, one clock for every process on the
 * machine, so producer and consumer processes compare them directly.
 *
 * First record's value: firstDueNs INT64 | spacingNs FLOAT64 | sentNs INT64 | filler.
 * Stamping changes bytes the batch CRC covers, so the CRC is recomputed (as a client would).
 */

import { buildBatch, readZigzag } from "../../engines/log/records/batch-builder.ts";
import { crc32c } from "../../engines/log/records/crc32c.ts";
import {
  BATCH_HEADER_BYTES,
  LOG_OVERHEAD,
  Off,
  readInt64,
  writeInt64,
} from "../../engines/log/records/record-batch.ts";

export const STAMP_BYTES = 24;

export interface Stamp {
  firstDueNs: bigint;
  spacingNs: number;
  sentNs: bigint;
}

/** Position of the first record's value in the batch at `at`, and its length. */
export function firstValue(buf: Buffer, at: number): { pos: number; length: number } {
  let p = at + BATCH_HEADER_BYTES;
  [, p] = readZigzag(buf, p); // record length
  p += 1; // attributes
  [, p] = readZigzag(buf, p); // timestamp delta
  [, p] = readZigzag(buf, p); // offset delta
  const [keyLength, afterKeyLength] = readZigzag(buf, p);
  p = afterKeyLength + Math.max(0, keyLength);
  const [length, pos] = readZigzag(buf, p);
  return { pos, length };
}

/** A batch of `count` records of `recordBytes` each, ready to be stamped. */
export function batchTemplate(count: number, recordBytes: number): Buffer {
  if (recordBytes < STAMP_BYTES) throw new Error(`records need at least ${STAMP_BYTES} bytes for the stamp`);
  const value = Buffer.alloc(recordBytes, 0x65);
  return buildBatch(Array.from({ length: count }, () => ({ value })));
}

/**
 * A stamped copy of `template`: the stamp in the first record's value, the batch timestamps set to
 * `wallMs` (Kafka's timestamps are wall-clock milliseconds), the CRC recomputed.
 */
export function stampBatch(template: Buffer, stamp: Stamp, wallMs: number): Buffer {
  const b = Buffer.from(template);
  const v = firstValue(b, 0);
  if (v.length < STAMP_BYTES) throw new Error("the first record is too short for the stamp");
  b.writeBigInt64BE(stamp.firstDueNs, v.pos);
  b.writeDoubleBE(stamp.spacingNs, v.pos + 8);
  b.writeBigInt64BE(stamp.sentNs, v.pos + 16);
  writeInt64(b, Off.baseTimestamp, wallMs);
  writeInt64(b, Off.maxTimestamp, wallMs);
  b.writeUInt32BE(crc32c(b, Off.attributes, b.length), Off.crc);
  return b;
}

export interface StampedBatch extends Stamp {
  /** Offset of the first record counted (at or after the offset fetched from). */
  firstOffset: number;
  /** Records counted: those at or after the offset fetched from. */
  count: number;
  /** Index within the batch of the first record counted (its due time is firstDueNs + skip · spacing). */
  skip: number;
  /** The offset to fetch next. */
  nextOffset: number;
}

/**
 * The stamped batches in a Fetch answer's record set, from `fromOffset` on. A fetch may return a
 * batch that starts before the offset asked for (records are whole stored batches): its earlier
 * records are skipped, as a client skips them. A truncated last batch (cut by max bytes) is left
 * for the next fetch.
 */
export function readStampedBatches(records: Buffer, fromOffset: number): StampedBatch[] {
  const out: StampedBatch[] = [];
  let pos = 0;
  while (records.length - pos >= BATCH_HEADER_BYTES) {
    const size = LOG_OVERHEAD + records.readInt32BE(pos + Off.batchLength);
    if (pos + size > records.length) break;
    const base = readInt64(records, pos + Off.baseOffset);
    const total = records.readInt32BE(pos + Off.lastOffsetDelta) + 1;
    const skip = Math.max(0, fromOffset - base);
    if (skip < total) {
      const v = firstValue(records, pos);
      if (v.length < STAMP_BYTES) throw new Error(`batch at offset ${base} carries no stamp`);
      out.push({
        firstDueNs: records.readBigInt64BE(v.pos),
        spacingNs: records.readDoubleBE(v.pos + 8),
        sentNs: records.readBigInt64BE(v.pos + 16),
        firstOffset: base + skip,
        count: total - skip,
        skip,
        nextOffset: base + total,
      });
    }
    pos += size;
  }
  return out;
}

/**
 * Indexes [from, to) within `b` of the records counted (at or after the fetch offset) whose due
 * time falls in [lo, hi) — empty when from ≥ to. Record i was due at firstDueNs + i · spacingNs.
 */
export function dueRange(b: StampedBatch, lo: bigint, hi: bigint): [number, number] {
  const from = Math.max(b.skip, Math.ceil(Number(lo - b.firstDueNs) / b.spacingNs));
  const to = Math.min(b.skip + b.count, Math.ceil(Number(hi - b.firstDueNs) / b.spacingNs));
  return [from, to];
}
