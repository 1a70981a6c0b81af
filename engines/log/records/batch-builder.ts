/**
 * Builds and parses uncompressed RecordBatch v2 blobs. The broker itself never decodes records;
 * this exists for tests, the fuzzer and the benchmark's raw producer, which need batches that are
 * byte-for-byte what a client would send.
 *
 * Record => length VARINT attributes INT8 timestampDelta VARLONG offsetDelta VARINT
 *           keyLength VARINT key valueLength VARINT value headersCount VARINT [headers]
 *   headers => keyLength VARINT key valueLength VARINT value        (−1 length = null)
 * VARINT/VARLONG are zig-zag encoded base-128.
 */

import { crc32c } from "./crc32c.ts";
import { BATCH_HEADER_BYTES, LOG_OVERHEAD, Off, readInt64, writeInt64 } from "./record-batch.ts";

export interface BuildRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: Array<{ key: string; value: Buffer | null }>;
  /** Milliseconds after the batch's base timestamp. */
  timestampDelta?: number;
}

function zigzagSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

function writeZigzag(buf: Buffer, pos: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

/** Reads a zig-zag varint at `pos`: [value, next position]. */
export function readZigzag(buf: Buffer, pos: number): [number, number] {
  let z = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error("varint past end of batch");
    z += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    mul *= 128;
  }
  const v = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  return [v, pos];
}

function recordBodySize(r: BuildRecord, i: number): number {
  const key = r.key ?? null;
  const headers = r.headers ?? [];
  let n = 1 + zigzagSize(r.timestampDelta ?? 0) + zigzagSize(i);
  n += key === null ? zigzagSize(-1) : zigzagSize(key.length) + key.length;
  n += r.value === null ? zigzagSize(-1) : zigzagSize(r.value.length) + r.value.length;
  n += zigzagSize(headers.length);
  for (const h of headers) {
    const hk = Buffer.byteLength(h.key);
    n += zigzagSize(hk) + hk;
    n += h.value === null ? zigzagSize(-1) : zigzagSize(h.value.length) + h.value.length;
  }
  return n;
}

/** Encodes records into one uncompressed batch with a valid CRC. */
export function buildBatch(
  records: BuildRecord[],
  opts: {
    baseOffset?: number;
    baseTimestamp?: number;
    leaderEpoch?: number;
    /** Attributes as is (codec bits are only a label here: the records are never compressed). */
    attributes?: number;
    producerId?: number;
    producerEpoch?: number;
    baseSequence?: number;
  } = {},
): Buffer {
  if (records.length === 0) throw new Error("a batch needs at least one record");
  const sizes = records.map(recordBodySize);
  let total = BATCH_HEADER_BYTES;
  for (const s of sizes) total += zigzagSize(s) + s;
  const buf = Buffer.alloc(total);
  const baseTimestamp = opts.baseTimestamp ?? Date.now();
  let maxDelta = 0;
  for (const r of records) maxDelta = Math.max(maxDelta, r.timestampDelta ?? 0);
  writeInt64(buf, Off.baseOffset, opts.baseOffset ?? 0);
  buf.writeInt32BE(total - LOG_OVERHEAD, Off.batchLength);
  buf.writeInt32BE(opts.leaderEpoch ?? -1, Off.partitionLeaderEpoch);
  buf.writeInt8(2, Off.magic);
  buf.writeInt16BE(opts.attributes ?? 0, Off.attributes);
  buf.writeInt32BE(records.length - 1, Off.lastOffsetDelta);
  writeInt64(buf, Off.baseTimestamp, baseTimestamp);
  writeInt64(buf, Off.maxTimestamp, baseTimestamp + maxDelta);
  writeInt64(buf, Off.producerId, opts.producerId ?? -1);
  buf.writeInt16BE(opts.producerEpoch ?? -1, Off.producerEpoch);
  buf.writeInt32BE(opts.baseSequence ?? -1, Off.baseSequence);
  buf.writeInt32BE(records.length, Off.recordsCount);
  let pos = BATCH_HEADER_BYTES;
  records.forEach((r, i) => {
    pos = writeZigzag(buf, pos, sizes[i]!);
    buf.writeInt8(0, pos++);
    pos = writeZigzag(buf, pos, r.timestampDelta ?? 0);
    pos = writeZigzag(buf, pos, i);
    const key = r.key ?? null;
    if (key === null) pos = writeZigzag(buf, pos, -1);
    else {
      pos = writeZigzag(buf, pos, key.length);
      pos += key.copy(buf, pos);
    }
    if (r.value === null) pos = writeZigzag(buf, pos, -1);
    else {
      pos = writeZigzag(buf, pos, r.value.length);
      pos += r.value.copy(buf, pos);
    }
    const headers = r.headers ?? [];
    pos = writeZigzag(buf, pos, headers.length);
    for (const h of headers) {
      pos = writeZigzag(buf, pos, Buffer.byteLength(h.key));
      pos += buf.write(h.key, pos);
      if (h.value === null) pos = writeZigzag(buf, pos, -1);
      else {
        pos = writeZigzag(buf, pos, h.value.length);
        pos += h.value.copy(buf, pos);
      }
    }
  });
  buf.writeUInt32BE(crc32c(buf, Off.attributes, total), Off.crc);
  return buf;
}

export interface ParsedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

/** Parses every record of every uncompressed batch in `buf` (a fetch response's records blob). */
export function parseBatches(buf: Buffer): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  let pos = 0;
  while (buf.length - pos >= BATCH_HEADER_BYTES) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + Off.batchLength);
    if (pos + size > buf.length) break;
    const baseOffset = readInt64(buf, pos + Off.baseOffset);
    const baseTimestamp = readInt64(buf, pos + Off.baseTimestamp);
    if ((buf.readInt16BE(pos + Off.attributes) & 7) !== 0)
      throw new Error("compressed batches not supported");
    const count = buf.readInt32BE(pos + Off.recordsCount);
    let p = pos + BATCH_HEADER_BYTES;
    for (let i = 0; i < count; i++) {
      let len: number;
      [len, p] = readZigzag(buf, p);
      const end = p + len;
      p += 1;
      let tsDelta: number;
      let offDelta: number;
      let kl: number;
      [tsDelta, p] = readZigzag(buf, p);
      [offDelta, p] = readZigzag(buf, p);
      [kl, p] = readZigzag(buf, p);
      const key = kl < 0 ? null : buf.subarray(p, p + kl);
      if (kl > 0) p += kl;
      let vl: number;
      [vl, p] = readZigzag(buf, p);
      const value = vl < 0 ? null : buf.subarray(p, p + vl);
      if (vl > 0) p += vl;
      let hc: number;
      [hc, p] = readZigzag(buf, p);
      const headers: ParsedRecord["headers"] = [];
      for (let h = 0; h < hc; h++) {
        let hkl: number;
        [hkl, p] = readZigzag(buf, p);
        const hk = buf.toString("utf8", p, p + hkl);
        p += hkl;
        let hvl: number;
        [hvl, p] = readZigzag(buf, p);
        headers.push({ key: hk, value: hvl < 0 ? null : buf.subarray(p, p + hvl) });
        if (hvl > 0) p += hvl;
      }
      p = end;
      out.push({ offset: baseOffset + offDelta, timestamp: baseTimestamp + tsDelta, key, value, headers });
    }
    pos += size;
  }
  return out;
}
