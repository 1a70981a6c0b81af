import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolDecodeError, Reader } from "../../../../engines/log/protocol/reader.ts";
import { Writer } from "../../../../engines/log/protocol/writer.ts";
import { hex } from "../helpers/bytes.ts";

test("int64 round-trips beyond 32 bits and negative values", () => {
  for (const v of [0, -1, -2, 2 ** 40 + 5, -(2 ** 40) - 3, Number.MAX_SAFE_INTEGER]) {
    const b = new Writer().int64(v).toBuffer();
    assert.equal(b.readBigInt64BE(0), BigInt(v));
    assert.equal(new Reader(b).int64(), v);
  }
});

test("unsigned varints", () => {
  assert.equal(new Writer().uvarint(300).toBuffer().toString("hex"), "ac02");
  assert.equal(new Reader(hex("ac02")).uvarint(), 300);
  assert.throws(() => new Reader(hex("ffffffffff01")).uvarint(), ProtocolDecodeError);
});

test("reads past the end throw instead of returning garbage", () => {
  assert.throws(() => new Reader(hex("0005 6162")).string(), ProtocolDecodeError);
  assert.throws(() => new Reader(hex("00000010 00")).bytes(), ProtocolDecodeError);
  assert.throws(() => new Reader(hex("7fffffff")).arrayLength(false), /exceeds remaining/);
});

test("large blobs are referenced, not copied", () => {
  const big = Buffer.alloc(4096, 1);
  const chunks = new Writer().int32(1).raw(big).int8(2).chunksOut();
  assert.ok(chunks.includes(big));
  assert.equal(Buffer.concat(chunks).length, 4 + 4096 + 1);
});
