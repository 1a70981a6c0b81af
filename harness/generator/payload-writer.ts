/**
 * encodePayload's bodies written straight into a byte buffer, for clients that send bytes at
 * hundreds of thousands of messages per second: no string per message, no UTF-8 encoding pass.
 * The bytes are exactly encodePayload's (ASCII digits, dots, hex and `x`), and so is the CRC-32:
 * computed here over the short head with a table, then carried over the `x` padding in four table
 * lookups. CRC-32 continued over a fixed run of bytes is an affine map of the starting value over
 * GF(2), so for each padding length the map is tabulated once from 33 native CRC-32 runs (the
 * padding from 0 and from each single bit), and a byte-wise table then applies it to any start.
 */

import { crc32 } from "node:zlib";

/** The byte-wise CRC-32 table (reflected polynomial 0xEDB88320, as zlib's). */
const BYTE_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * For one padding length n: table[256·k + b] is the linear part of `crc32("x" × n, v)` applied to
 * v = b << 8k, and table[1024] its value at v = 0; the CRC continued from v is the XOR of the four
 * byte entries and that constant.
 */
const tailTables = new Map<number, Uint32Array>();

function tailTable(n: number): Uint32Array {
  let t = tailTables.get(n);
  if (t !== undefined) return t;
  const tail = Buffer.alloc(n, 0x78);
  const zero = crc32(tail, 0) >>> 0;
  const bit = new Uint32Array(32);
  for (let i = 0; i < 32; i++) bit[i] = ((crc32(tail, (1 << i) >>> 0) >>> 0) ^ zero) >>> 0;
  t = new Uint32Array(1025);
  for (let k = 0; k < 4; k++) {
    for (let b = 0; b < 256; b++) {
      let x = 0;
      for (let j = 0; j < 8; j++) if (b & (1 << j)) x ^= bit[8 * k + j] as number;
      t[256 * k + b] = x >>> 0;
    }
  }
  t[1024] = zero;
  if (tailTables.size < 64) tailTables.set(n, t);
  return t;
}

function continueOverTail(t: Uint32Array, v: number): number {
  return (
    ((t[1024] as number) ^
      (t[v & 0xff] as number) ^
      (t[256 + ((v >>> 8) & 0xff)] as number) ^
      (t[512 + ((v >>> 16) & 0xff)] as number) ^
      (t[768 + (v >>> 24)] as number)) >>>
    0
  );
}

const HEX = Buffer.from("0123456789abcdef", "latin1");

/** Decimal digits of a non-negative integer (below 2^53). */
export function decimalLength(n: number): number {
  let len = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
  return len;
}

/**
 * The longest a payload can be beyond its size: three 16-digit numbers (integers below 2^53), three
 * dots and the checksum field.
 */
export const MAX_HEAD = 3 * 16 + 3 + 9;

/** The byte length of encodePayload(producer, seq, intendedUs, size). */
export function payloadLength(producer: number, seq: number, intendedUs: number, size: number): number {
  const head = decimalLength(producer) + decimalLength(seq) + decimalLength(intendedUs) + 3;
  return head + 9 + Math.max(0, size - head - 9);
}

/** Digits of one number, least significant first (scratch for writeNumber). */
const digits = new Uint8Array(16);

/** The tail table last used: a run sends one size, so the lookup is nearly always this one. */
let lastN = -1;
let lastTable: Uint32Array = new Uint32Array(1025);

/**
 * Writes the bytes of encodePayload(producer, seq, intendedUs, size) into `buf` at `at` (which must
 * have payloadLength bytes free) and returns the offset after them. The head's CRC-32 is computed
 * while its digits are written.
 */
export function writePayload(
  buf: Uint8Array,
  at: number,
  producer: number,
  seq: number,
  intendedUs: number,
  size: number,
): number {
  let o = writePayloadHead(buf, at, producer, seq, intendedUs, size);
  const n = Math.max(0, size - (o - at));
  if (n < 64) for (let end = o + n; o < end; ) buf[o++] = 0x78;
  else {
    buf.fill(0x78, o, o + n);
    o += n;
  }
  return o;
}

/**
 * Writes encodePayload's head — identity, dots, checksum and its dot — at `at` and returns the
 * offset after it; the `x` padding after it, to `at + size`, is left to the caller (a buffer that
 * already holds it needs no second write).
 */
export function writePayloadHead(
  buf: Uint8Array,
  at: number,
  producer: number,
  seq: number,
  intendedUs: number,
  size: number,
): number {
  let c = 0xffffffff;
  let o = at;
  for (let f = 0; f < 3; f++) {
    let x = f === 0 ? producer : f === 1 ? seq : intendedUs;
    let d = 0;
    if (x < 0x80000000) {
      do {
        const q = (x / 10) | 0;
        digits[d++] = 48 + x - q * 10;
        x = q;
      } while (x > 0);
    } else {
      do {
        const q = Math.floor(x / 10);
        digits[d++] = 48 + x - q * 10;
        x = q;
      } while (x > 0);
    }
    while (d > 0) {
      const b = digits[--d] as number;
      buf[o++] = b;
      c = (BYTE_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    }
    buf[o++] = 46;
    c = (BYTE_TABLE[(c ^ 46) & 0xff] as number) ^ (c >>> 8);
  }
  const n = Math.max(0, size - (o - at) - 9);
  if (n !== lastN) {
    lastTable = tailTable(n);
    lastN = n;
  }
  const crc = continueOverTail(lastTable, (c ^ 0xffffffff) >>> 0);
  for (let shift = 28; shift >= 0; shift -= 4) buf[o++] = HEX[(crc >>> shift) & 0xf] as number;
  buf[o++] = 46;
  return o;
}
