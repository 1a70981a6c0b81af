/**
 * Message bodies. Each carries its identity and intended send time in a fixed text prefix,
 * `<producer>.<seq>.<intendedUs>.`, then a CRC-32 of the rest of the body (so a delivered body
 * that was altered is counted as corrupted), padded with `x` to the scenario's message size, so
 * delivery accounting and end-to-end latency need nothing from the engine. Text keeps it valid inside
 * Flume's JSON events and readable in a packet capture.
 */

import { crc32 } from "node:zlib";

export interface MessageIdentity {
  producer: number;
  seq: number;
  intendedUs: number;
  /** The body's checksum matches the rest of it. */
  intact: boolean;
}

const pad = "x".repeat(4096);

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/** Padding strings by length: a run sends one size, so the handful of lengths repeat forever. */
const tails = new Map<number, string>();

function padding(n: number): string {
  if (n <= 0) return "";
  let tail = tails.get(n);
  if (tail === undefined) {
    tail =
      n <= pad.length
        ? pad.slice(0, n)
        : pad.repeat(Math.floor(n / pad.length)) + pad.slice(0, n % pad.length);
    if (tails.size < 256 && n <= 65_536) tails.set(n, tail);
  }
  return tail;
}

/**
 * The body of one message, exactly `size` bytes when the prefix fits: `<producer>.<seq>.<intendedUs>.`,
 * then the CRC-32 (8 hex digits and a dot) of the body without that field, then `x` padding.
 */
export function encodePayload(producer: number, seq: number, intendedUs: number, size: number): string {
  const head = `${producer}.${seq}.${intendedUs}.`;
  const tail = padding(size - head.length - 9);
  // CRC-32 continued over the tail equals the CRC-32 of head + tail, without building that string.
  return `${head}${hex8(crc32(tail, crc32(head)))}.${tail}`;
}

/** Reads the identity back and checks the body's checksum; undefined for a body faultbench did not write. */
export function decodePayload(body: string): MessageIdentity | undefined {
  const a = body.indexOf(".");
  const b = a < 0 ? -1 : body.indexOf(".", a + 1);
  const c = b < 0 ? -1 : body.indexOf(".", b + 1);
  if (c < 0 || body.charCodeAt(c + 9) !== 46) return undefined;
  const producer = toInt(body, 0, a);
  const seq = toInt(body, a + 1, b);
  const intendedUs = toInt(body, b + 1, c);
  if (producer < 0 || seq < 0 || intendedUs < 0) return undefined;
  const sum = body.slice(c + 1, c + 9);
  if (!/^[0-9a-f]{8}$/.test(sum)) return undefined;
  const intact = hex8(crc32(body.slice(0, c + 1) + body.slice(c + 10))) === sum;
  return { producer, seq, intendedUs, intact };
}

function toInt(s: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
