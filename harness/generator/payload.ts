/**
 * Message bodies. Each carries its identity and intended send time in a fixed text prefix,
 * `<producer>.<seq>.<intendedUs>.`, padded with `x` to the scenario's message size, so delivery
 * accounting and end-to-end latency need nothing from the engine. Text keeps it valid inside
 * Flume's JSON events and readable in a packet capture.
 */

export interface MessageIdentity {
  producer: number;
  seq: number;
  intendedUs: number;
}

const pad = "x".repeat(4096);

/** The body of one message, exactly `size` bytes when the prefix fits. */
export function encodePayload(producer: number, seq: number, intendedUs: number, size: number): string {
  const head = `${producer}.${seq}.${intendedUs}.`;
  let rest = size - head.length;
  if (rest <= 0) return head;
  let out = head;
  while (rest > 0) {
    const n = Math.min(rest, pad.length);
    out += pad.slice(0, n);
    rest -= n;
  }
  return out;
}

/** Reads the identity back; undefined for a body faultbench did not write. */
export function decodePayload(body: string): MessageIdentity | undefined {
  const a = body.indexOf(".");
  const b = a < 0 ? -1 : body.indexOf(".", a + 1);
  const c = b < 0 ? -1 : body.indexOf(".", b + 1);
  if (c < 0) return undefined;
  const producer = toInt(body, 0, a);
  const seq = toInt(body, a + 1, b);
  const intendedUs = toInt(body, b + 1, c);
  if (producer < 0 || seq < 0 || intendedUs < 0) return undefined;
  return { producer, seq, intendedUs };
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
