/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2. Node 20
 * has no native CRC-32C, so this is table-driven: slicing-by-16 over little-endian 32-bit words
 * read through a Uint32Array view of the aligned middle of the buffer (about twice the speed of
 * slicing-by-8 over single bytes; every batch is checksummed by the leader and by each follower,
 * so this is the largest JavaScript cost of the replicated append path). Unaligned edges, and
 * big-endian hosts, go byte by byte.
 */

import { endianness } from "node:os";

const POLY = 0x82f63b78;
const T = new Uint32Array(16 * 256);

for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[i] = c >>> 0;
}
for (let i = 0; i < 256; i++) {
  for (let t = 1; t < 16; t++) {
    const prev = T[(t - 1) * 256 + i]!;
    T[t * 256 + i] = (prev >>> 8) ^ T[prev & 0xff]!;
  }
}

const WORDS = endianness() === "LE";

/** CRC-32C of buf[start, end). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffffffff;
  let i = start;
  const t = T;
  if (WORDS) {
    while (i < end && ((buf.byteOffset + i) & 3) !== 0) {
      crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
      i++;
    }
    const n = ((end - i) >>> 4) << 2;
    if (n > 0) {
      const w = new Uint32Array(buf.buffer, buf.byteOffset + i, n);
      for (let k = 0; k < n; k += 4) {
        const a = crc ^ w[k]!;
        const b = w[k + 1]!;
        const c = w[k + 2]!;
        const d = w[k + 3]!;
        crc =
          t[3840 + (a & 0xff)]! ^
          t[3584 + ((a >>> 8) & 0xff)]! ^
          t[3328 + ((a >>> 16) & 0xff)]! ^
          t[3072 + (a >>> 24)]! ^
          t[2816 + (b & 0xff)]! ^
          t[2560 + ((b >>> 8) & 0xff)]! ^
          t[2304 + ((b >>> 16) & 0xff)]! ^
          t[2048 + (b >>> 24)]! ^
          t[1792 + (c & 0xff)]! ^
          t[1536 + ((c >>> 8) & 0xff)]! ^
          t[1280 + ((c >>> 16) & 0xff)]! ^
          t[1024 + (c >>> 24)]! ^
          t[768 + (d & 0xff)]! ^
          t[512 + ((d >>> 8) & 0xff)]! ^
          t[256 + ((d >>> 16) & 0xff)]! ^
          t[d >>> 24]!;
      }
      i += n << 2;
    }
  }
  while (i < end) {
    crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
    i++;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// Type feedback for every loop before the optimizing compiler sees the function: the first
// batches a broker checks may all be aligned and sized so that the byte loops never run, and a
// path first taken after optimization deoptimizes it ("insufficient type feedback"), which under
// load happened again and again in a run.
{
  const warm = Buffer.alloc(80);
  for (let start = 0; start < 4; start++) crc32c(warm, start, warm.length - start);
}
