/**
 * The records inside one stored batch, for the two places the broker must look past the batch
 * header: the log cleaner (which keys a batch holds, and a copy of the batch keeping only some of
 * its records) and Produce to a compacted topic (every record needs a key). Uncompressed and gzip
 * batches can be read (gzip through node:zlib); snappy, lz4 and zstd have no decoder here, so
 * their records stay opaque (`undefined`).
 *
 * A filtered copy keeps the header as it was — base offset, lastOffsetDelta, timestamps, producer
 * id, epoch and base sequence — so offsets are never renumbered and an idempotent producer's
 * sequence range stays what it appended (Kafka's cleaner does the same); only the record count,
 * the length and the CRC change.
 */

import { gunzipSync, gzipSync } from "node:zlib";
import { readZigzag } from "./batch-builder.ts";
import { crc32c } from "./crc32c.ts";
import { BATCH_HEADER_BYTES, Codec, compressionCodec, LOG_OVERHEAD, Off, readInt64 } from "./record-batch.ts";

/** One record's place in a batch's (decompressed) records bytes. */
export interface RawRecord {
  /** Byte range of the whole record (length varint included) in the records bytes. */
  start: number;
  end: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** A null value: a tombstone. */
  tombstone: boolean;
}

/** The records bytes of the batch at `buf[pos, pos+size)`, decompressed; undefined if unreadable. */
export function recordsBytes(buf: Buffer, pos: number, size: number): Buffer | undefined {
  const body = buf.subarray(pos + BATCH_HEADER_BYTES, pos + size);
  const codec = compressionCodec(buf, pos);
  if (codec === Codec.none) return body;
  if (codec === Codec.gzip) {
    try {
      return gunzipSync(body);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The records of the batch at `pos`, or undefined when they cannot be read (a codec without a
 * decoder here, or bytes that do not parse).
 */
export function readRecords(
  buf: Buffer,
  pos: number,
  size: number,
): { bytes: Buffer; records: RawRecord[] } | undefined {
  const bytes = recordsBytes(buf, pos, size);
  if (!bytes) return undefined;
  const baseOffset = readInt64(buf, pos + Off.baseOffset);
  const count = buf.readInt32BE(pos + Off.recordsCount);
  const records: RawRecord[] = [];
  let p = 0;
  try {
    for (let i = 0; i < count; i++) {
      const start = p;
      let len: number;
      [len, p] = readZigzag(bytes, p);
      const end = p + len;
      if (len < 0 || end > bytes.length) return undefined;
      p += 1; // attributes
      [, p] = readZigzag(bytes, p); // timestampDelta
      let offsetDelta: number;
      [offsetDelta, p] = readZigzag(bytes, p);
      let keyLength: number;
      [keyLength, p] = readZigzag(bytes, p);
      const key = keyLength < 0 ? null : bytes.subarray(p, p + keyLength);
      if (keyLength > 0) p += keyLength;
      let valueLength: number;
      [valueLength, p] = readZigzag(bytes, p);
      const value = valueLength < 0 ? null : bytes.subarray(p, p + valueLength);
      if (p + Math.max(0, valueLength) > end) return undefined;
      records.push({ start, end, offset: baseOffset + offsetDelta, key, value, tombstone: valueLength < 0 });
      p = end;
    }
  } catch {
    return undefined;
  }
  return { bytes, records };
}

/**
 * A copy of the batch at `buf[pos, pos+size)` holding only `keep` (records of it, in order), with
 * the header unchanged but for the record count, length and CRC. A gzip batch is compressed again.
 */
export function filterBatch(buf: Buffer, pos: number, bytes: Buffer, keep: RawRecord[]): Buffer {
  let records: Buffer = Buffer.concat(keep.map((r) => bytes.subarray(r.start, r.end)));
  if (compressionCodec(buf, pos) === Codec.gzip) records = gzipSync(records);
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + records.length);
  buf.copy(out, 0, pos, pos + BATCH_HEADER_BYTES);
  records.copy(out, BATCH_HEADER_BYTES);
  out.writeInt32BE(out.length - LOG_OVERHEAD, Off.batchLength);
  out.writeInt32BE(keep.length, Off.recordsCount);
  out.writeUInt32BE(crc32c(out, Off.attributes, out.length), Off.crc);
  return out;
}

/** Produce to a compacted topic: whether a readable batch holds a record without a key. */
export function hasKeylessRecord(buf: Buffer, pos: number, size: number): boolean {
  const r = readRecords(buf, pos, size);
  return r?.records.some((rec) => rec.key === null) === true;
}
