/**
 * A deliberately tiny, independent byte builder for golden fixtures: each call is one primitive
 * from the protocol spec, so fixtures read like the BNF and share no code with the codec.
 */

import assert from "node:assert/strict";
import { Reader } from "../../../../engines/log/protocol/reader.ts";
import { compile, type MessageSchema } from "../../../../engines/log/protocol/schema.ts";
import { Writer } from "../../../../engines/log/protocol/writer.ts";

export class B {
  private parts: Buffer[] = [];
  private push(n: number, f: (b: Buffer) => void): this {
    const b = Buffer.alloc(n);
    f(b);
    this.parts.push(b);
    return this;
  }
  i8(v: number): this {
    return this.push(1, (b) => b.writeInt8(v));
  }
  bool(v: boolean): this {
    return this.i8(v ? 1 : 0);
  }
  i16(v: number): this {
    return this.push(2, (b) => b.writeInt16BE(v));
  }
  i32(v: number): this {
    return this.push(4, (b) => b.writeInt32BE(v));
  }
  i64(v: number): this {
    return this.push(8, (b) => b.writeBigInt64BE(BigInt(v)));
  }
  str(s: string | null): this {
    if (s === null) return this.i16(-1);
    this.i16(Buffer.byteLength(s));
    this.parts.push(Buffer.from(s));
    return this;
  }
  bytes(v: Buffer | null): this {
    if (v === null) return this.i32(-1);
    this.i32(v.length);
    this.parts.push(v);
    return this;
  }
  arr(n: number): this {
    return this.i32(n);
  }
  uvar(v: number): this {
    const out: number[] = [];
    let n = v;
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    this.parts.push(Buffer.from(out));
    return this;
  }
  cstr(s: string | null): this {
    if (s === null) return this.uvar(0);
    this.uvar(Buffer.byteLength(s) + 1);
    this.parts.push(Buffer.from(s));
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  get buf(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export const b = (): B => new B();

/** Parses hex with spaces and comments (`# ...` to end of line). */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""), "hex");
}

/**
 * `actual` restricted to the keys `expected` names, recursively. Decoders also return the defaults
 * of fields absent in the version (and fields added later); a fixture lists the fields it checks,
 * and the exact re-encode plus "whole fixture consumed" prove nothing else is on the wire.
 */
function only(actual: unknown, expected: unknown): unknown {
  if (Array.isArray(actual) && Array.isArray(expected)) return actual.map((a, i) => only(a, expected[i]));
  if (
    actual !== null &&
    expected !== null &&
    typeof actual === "object" &&
    typeof expected === "object" &&
    !Buffer.isBuffer(actual) &&
    !Array.isArray(expected)
  ) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(expected)) {
      if (k in (actual as object))
        out[k] = only((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]);
    }
    return out;
  }
  return actual;
}

/** Decodes `bytes` as the request of `schema` v`version`, compares to `obj`, and re-encodes exactly. */
export function assertRequest(schema: MessageSchema, version: number, bytes: Buffer, obj: object): void {
  const c = compile(schema, version);
  const r = new Reader(bytes);
  assert.deepEqual(only(c.request.decode(r), obj), obj);
  assert.equal(r.remaining, 0, "decoder must consume the whole fixture");
  const w = new Writer();
  c.request.encode(w, obj as Record<string, unknown>);
  assert.equal(w.toBuffer().toString("hex"), bytes.toString("hex"));
}

/** Encodes `obj` as the response of `schema` v`version`, compares bytes, and decodes back. */
export function assertResponse(schema: MessageSchema, version: number, bytes: Buffer, obj: object): void {
  const c = compile(schema, version);
  const w = new Writer();
  c.response.encode(w, obj as Record<string, unknown>);
  assert.equal(w.toBuffer().toString("hex"), bytes.toString("hex"));
  const r = new Reader(bytes);
  assert.deepEqual(only(c.response.decode(r), obj), obj);
  assert.equal(r.remaining, 0);
}
