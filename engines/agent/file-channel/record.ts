/**
 * The file channel's write-ahead-log record format. Every record is framed as
 *
 *     u32 length | u32 crc32(payload) | payload[length]
 *     payload = u8 type | f64 txId | type-specific fields
 *       PUT      u16 nHeaders {u16 klen, key, u32 vlen, value}* u32 bodyLen body   (UTF-8)
 *       TAKE     u32 fileId u32 offset      (pointer to the PUT record of the taken event)
 *       COMMIT   (nothing)
 *       ROLLBACK (nothing)
 *
 * (all little-endian). The length and CRC let replay tell a complete record from a torn one at the
 * tail of a log after a crash: the first record that runs past the end of the file or fails its CRC
 * ends the valid log. An event's identity on disk is the pointer (fileId, offset) of its PUT record,
 * packed into one number `fileId * 2^32 + offset` (exact while fileId < 2^21).
 */

import { crc32 } from "node:zlib";
import type { AgentEvent } from "../event.ts";

export const PUT = 1;
export const TAKE = 2;
export const COMMIT = 3;
export const ROLLBACK = 4;
export type RecordType = typeof PUT | typeof TAKE | typeof COMMIT | typeof ROLLBACK;

/** Frame (8) + type (1) + txId (8). */
export const HEADER_BYTES = 17;
const TWO32 = 2 ** 32;

export function pointerKey(fileId: number, offset: number): number {
  return fileId * TWO32 + offset;
}
export function pointerFile(key: number): number {
  return Math.floor(key / TWO32);
}
export function pointerOffset(key: number): number {
  return key % TWO32;
}

/** Bytes the PUT record of `e` takes, frame included. */
export function putRecordSize(e: AgentEvent): number {
  let n = HEADER_BYTES + 2 + 4 + Buffer.byteLength(e.body);
  for (const k in e.headers) n += 6 + Buffer.byteLength(k) + Buffer.byteLength(e.headers[k] ?? "");
  return n;
}

export const TAKE_RECORD_SIZE = HEADER_BYTES + 8;
export const MARK_RECORD_SIZE = HEADER_BYTES;

/** Writes a PUT record at `at`; `size` must come from putRecordSize. */
export function writePut(buf: Buffer, at: number, size: number, txId: number, e: AgentEvent): void {
  let p = writeHead(buf, at, size, PUT, txId);
  let n = 0;
  const countAt = p;
  p += 2;
  for (const k in e.headers) {
    n++;
    const kl = buf.write(k, p + 2, "utf8");
    buf.writeUInt16LE(kl, p);
    p += 2 + kl;
    const vl = buf.write(e.headers[k] ?? "", p + 4, "utf8");
    buf.writeUInt32LE(vl, p);
    p += 4 + vl;
  }
  buf.writeUInt16LE(n, countAt);
  const bl = e.body.length === 0 ? 0 : buf.write(e.body, p + 4, "utf8");
  buf.writeUInt32LE(bl, p);
  finish(buf, at, size);
}

export function writeTake(buf: Buffer, at: number, txId: number, pointer: number): void {
  const p = writeHead(buf, at, TAKE_RECORD_SIZE, TAKE, txId);
  buf.writeUInt32LE(pointerFile(pointer), p);
  buf.writeUInt32LE(pointerOffset(pointer), p + 4);
  finish(buf, at, TAKE_RECORD_SIZE);
}

export function writeMark(
  buf: Buffer,
  at: number,
  type: typeof COMMIT | typeof ROLLBACK,
  txId: number,
): void {
  writeHead(buf, at, MARK_RECORD_SIZE, type, txId);
  finish(buf, at, MARK_RECORD_SIZE);
}

function writeHead(buf: Buffer, at: number, size: number, type: RecordType, txId: number): number {
  buf.writeUInt32LE(size - 8, at);
  buf[at + 8] = type;
  buf.writeDoubleLE(txId, at + 9);
  return at + HEADER_BYTES;
}

function finish(buf: Buffer, at: number, size: number): void {
  buf.writeUInt32LE(crc32(buf.subarray(at + 8, at + size)), at + 4);
}

export type DecodedRecord =
  | { type: typeof PUT; txId: number; size: number; event: AgentEvent }
  | { type: typeof TAKE; txId: number; size: number; pointer: number }
  | { type: typeof COMMIT | typeof ROLLBACK; txId: number; size: number };

/**
 * Decodes the record at `at` in `buf[0..end)`. Returns "short" when the buffer ends inside the
 * record (read more, or at end of file: torn tail), "corrupt" when the CRC or structure is wrong.
 * `wantEvent` false skips decoding a PUT's event (replay only needs events for live pointers).
 */
export function readRecord(
  buf: Buffer,
  at: number,
  end: number,
  wantEvent = true,
): DecodedRecord | "short" | "corrupt" {
  if (end - at < 8) return "short";
  const len = buf.readUInt32LE(at);
  if (len < HEADER_BYTES - 8) return "corrupt";
  if (end - at < 8 + len) return "short";
  const size = 8 + len;
  if (crc32(buf.subarray(at + 8, at + size)) !== buf.readUInt32LE(at + 4)) return "corrupt";
  const type = buf[at + 8];
  const txId = buf.readDoubleLE(at + 9);
  let p = at + HEADER_BYTES;
  const stop = at + size;
  switch (type) {
    case PUT: {
      if (!wantEvent) return { type, txId, size, event: { headers: {}, body: "" } };
      const headers: Record<string, string> = {};
      const n = buf.readUInt16LE(p);
      p += 2;
      for (let i = 0; i < n; i++) {
        const kl = buf.readUInt16LE(p);
        const k = buf.toString("utf8", p + 2, p + 2 + kl);
        p += 2 + kl;
        const vl = buf.readUInt32LE(p);
        headers[k] = buf.toString("utf8", p + 4, p + 4 + vl);
        p += 4 + vl;
      }
      const bl = buf.readUInt32LE(p);
      if (p + 4 + bl !== stop) return "corrupt";
      return { type, txId, size, event: { headers, body: buf.toString("utf8", p + 4, stop) } };
    }
    case TAKE:
      if (size !== TAKE_RECORD_SIZE) return "corrupt";
      return { type, txId, size, pointer: pointerKey(buf.readUInt32LE(p), buf.readUInt32LE(p + 4)) };
    case COMMIT:
    case ROLLBACK:
      if (size !== MARK_RECORD_SIZE) return "corrupt";
      return { type, txId, size };
    default:
      return "corrupt";
  }
}
