/**
 * RecordBatch v2 as the broker sees it: a header it reads and patches, and a body it never
 * decodes. The CRC covers attributes → end, so stamping baseOffset and partitionLeaderEpoch (both
 * before the CRC field) keeps the client's checksum valid and the records byte-identical.
 *
 * RecordBatch => baseOffset INT64 batchLength INT32 partitionLeaderEpoch INT32 magic INT8 crc UINT32
 *                attributes INT16 lastOffsetDelta INT32 baseTimestamp INT64 maxTimestamp INT64
 *                producerId INT64 producerEpoch INT16 baseSequence INT32 recordsCount INT32 records
 * (batchLength counts the bytes after the batchLength field)
 */

import { crc32c } from "./crc32c.ts";

export const BATCH_HEADER_BYTES = 61;
/** Bytes before the part counted by batchLength (baseOffset + batchLength). */
export const LOG_OVERHEAD = 12;

export const Off = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
} as const;

const TWO_32 = 4294967296;

/** Compression codec ids (attributes bits 0–2). */
export const Codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/** The compression codec id of the batch at `pos`. */
export function compressionCodec(buf: Buffer, pos: number): number {
  return buf.readInt16BE(pos + Off.attributes) & 7;
}

export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

export function writeInt64(buf: Buffer, at: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * TWO_32, at + 4);
}

export type BatchCheck =
  | { ok: true; size: number; lastOffsetDelta: number; maxTimestamp: number }
  | { ok: false; reason: "truncated" | "bad-length" | "bad-magic" | "bad-crc" | "bad-offset-delta" };

/**
 * Validates the batch starting at `pos`: complete, magic 2, CRC-32C matching, sane length.
 * `verifyCrc` is false only for trusted re-reads of already validated data.
 */
export function checkBatch(buf: Buffer, pos: number, end = buf.length, verifyCrc = true): BatchCheck {
  if (end - pos < BATCH_HEADER_BYTES) return { ok: false, reason: "truncated" };
  const batchLength = buf.readInt32BE(pos + Off.batchLength);
  if (batchLength < BATCH_HEADER_BYTES - LOG_OVERHEAD) return { ok: false, reason: "bad-length" };
  const size = LOG_OVERHEAD + batchLength;
  if (end - pos < size) return { ok: false, reason: "truncated" };
  if (buf[pos + Off.magic] !== 2) return { ok: false, reason: "bad-magic" };
  if (verifyCrc) {
    const stored = buf.readUInt32BE(pos + Off.crc);
    if (crc32c(buf, pos + Off.attributes, pos + size) !== stored) return { ok: false, reason: "bad-crc" };
  }
  const lastOffsetDelta = buf.readInt32BE(pos + Off.lastOffsetDelta);
  if (lastOffsetDelta < 0) return { ok: false, reason: "bad-offset-delta" };
  return { ok: true, size, lastOffsetDelta, maxTimestamp: readInt64(buf, pos + Off.maxTimestamp) };
}

/** Stamps the broker-assigned fields; neither is covered by the CRC. */
export function stampBatch(buf: Buffer, pos: number, baseOffset: number, leaderEpoch: number): void {
  writeInt64(buf, pos + Off.baseOffset, baseOffset);
  buf.writeInt32BE(leaderEpoch, pos + Off.partitionLeaderEpoch);
}

/** Base offset of the batch at `pos`. */
export function batchBaseOffset(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + Off.baseOffset);
}

/** Last offset of the batch at `pos` (base offset + lastOffsetDelta). */
export function batchLastOffset(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + Off.baseOffset) + buf.readInt32BE(pos + Off.lastOffsetDelta);
}

/** Total size of the batch at `pos`, from its length field. */
export function batchSize(buf: Buffer, pos: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + Off.batchLength);
}
