import assert from "node:assert/strict";
import { test } from "node:test";
import {
  FrameAssembler,
  FrameSplitter,
  FrameTooLargeError,
} from "../../../../engines/log/protocol/framing.ts";
import { hex } from "../helpers/bytes.ts";

test("splits frames across arbitrary chunk boundaries", () => {
  const stream = hex("00000002 aabb 00000000 00000003 ccddee");
  for (let cut = 0; cut <= stream.length; cut++) {
    for (let cut2 = cut; cut2 <= stream.length; cut2++) {
      const s = new FrameSplitter(100);
      const frames = [
        ...s.push(stream.subarray(0, cut)),
        ...s.push(stream.subarray(cut, cut2)),
        ...s.push(stream.subarray(cut2)),
      ];
      assert.deepEqual(
        frames.map((f) => f.toString("hex")),
        ["aabb", "", "ccddee"],
      );
    }
  }
});

test("a large frame delivered in many chunks arrives once, intact", () => {
  const payload = Buffer.alloc(100_000, 7);
  const stream = Buffer.concat([hex("000186a0"), payload]);
  const s = new FrameSplitter(1 << 20);
  const got: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 999) got.push(...s.push(stream.subarray(i, i + 999)));
  assert.equal(got.length, 1);
  assert.ok(got[0]!.equals(payload));
});

test("oversized and negative sizes are rejected", () => {
  assert.throws(() => new FrameSplitter(10).push(hex("0000000b")), FrameTooLargeError);
  assert.throws(() => new FrameSplitter(10).push(hex("ffffffff")), FrameTooLargeError);
});

test("FrameAssembler: any chunking of a reused read buffer yields owned copies of every frame", () => {
  const payloads = [0, 1, 3, 5, 70_000, 4, 200_000, 2].map((n, i) => Buffer.alloc(n, i + 1));
  const stream = Buffer.concat(
    payloads.map((p) => {
      const h = Buffer.alloc(4);
      h.writeInt32BE(p.length, 0);
      return Buffer.concat([h, p]);
    }),
  );
  for (const chunk of [1, 3, 4, 7, 4096, 65_536, stream.length]) {
    const a = new FrameAssembler(1 << 20);
    const reused = Buffer.alloc(chunk);
    const got: Buffer[] = [];
    for (let pos = 0; pos < stream.length; pos += chunk) {
      const n = stream.copy(reused, 0, pos, Math.min(stream.length, pos + chunk));
      got.push(...a.push(reused.subarray(0, n)));
      reused.fill(0xee);
    }
    assert.deepEqual(got, payloads, `chunks of ${chunk}`);
  }
  assert.throws(() => new FrameAssembler(10).push(Buffer.from([0, 0, 0, 11])), FrameTooLargeError);
});
