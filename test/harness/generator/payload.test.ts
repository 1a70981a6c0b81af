import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodePayload, encodePayload } from "../../../harness/generator/payload.ts";
import { payloadLength, writePayload } from "../../../harness/generator/payload-writer.ts";
import { seededRandom } from "../../../harness/generator/random.ts";

describe("payload", () => {
  test("a body is its identity prefix and checksum padded with x to exactly the message size", () => {
    const body = encodePayload(3, 42, 1_234_567, 100);
    assert.equal(body.length, 100);
    assert.match(body, /^3\.42\.1234567\.[0-9a-f]{8}\./);
    assert.equal(body.slice("3.42.1234567.".length + 9), "x".repeat(100 - 13 - 9));
  });

  test("sizes beyond the pad block and at the prefix length are exact", () => {
    assert.equal(encodePayload(0, 0, 0, 10_000).length, 10_000);
    assert.equal(encodePayload(0, 0, 0, 1_048_576).length, 1_048_576);
    assert.equal(encodePayload(1, 2, 3, 15).length, 15);
    assert.match(encodePayload(1, 2, 3, 16), /^1\.2\.3\.[0-9a-f]{8}\.x$/);
  });

  test("a prefix longer than the size is kept whole", () => {
    assert.match(encodePayload(12, 345_678, 9_999_999_999, 8), /^12\.345678\.9999999999\.[0-9a-f]{8}\.$/);
  });

  test("a body altered in delivery fails its checksum: corrupted, not someone else's message", () => {
    const body = encodePayload(3, 42, 1_234_567, 100);
    assert.equal(decodePayload(body)?.intact, true);
    const flipped = `${body.slice(0, 60)}y${body.slice(61)}`;
    assert.deepEqual(decodePayload(flipped), { producer: 3, seq: 42, intendedUs: 1_234_567, intact: false });
    const truncated = body.slice(0, 90);
    assert.equal(decodePayload(truncated)?.intact, false);
  });

  test("decode reads back what encode wrote", () => {
    for (const [p, s, t, size] of [
      [0, 0, 0, 32],
      [1, 2, 3, 100],
      [255, 9_999_999, 3_600_000_000, 64],
      [7, 123, 999_999_999_999_999, 1024],
    ] as const) {
      assert.deepEqual(decodePayload(encodePayload(p, s, t, size)), {
        producer: p,
        seq: s,
        intendedUs: t,
        intact: true,
      });
    }
  });

  test("rejects bodies faultbench did not write", () => {
    for (const body of [
      "",
      "hello",
      "1.2.3",
      "1.2",
      "a.2.3.",
      "1.b.3.xxx",
      "1..3.",
      ".1.2.3.",
      "-1.2.3.",
      "1.2.-3.",
      "1.2.3e4.",
      '{"producer":1,"seq":2}',
      "1.2.1234567890123456.",
    ]) {
      assert.equal(decodePayload(body), undefined, JSON.stringify(body));
    }
  });
});

describe("writePayload", () => {
  test("writes exactly encodePayload's bytes, checksum included, for every size and identity", () => {
    const random = seededRandom(11);
    const cases: [number, number, number, number][] = [
      [0, 0, 0, 0],
      [0, 0, 0, 15],
      [1, 2, 3, 16],
      [12, 345_678, 9_999_999_999, 8],
      [3, 42, 1_234_567, 100],
      [7, 123, 999_999_999_999_999, 1024],
      [0, 0, 0, 10_000],
      [255, 9_999_999, 3_600_000_000, 64],
    ];
    for (let i = 0; i < 500; i++) {
      cases.push([
        Math.floor(random() * 1000),
        Math.floor(random() * 10 ** Math.floor(random() * 10)),
        Math.floor(random() * 10 ** Math.floor(random() * 13)),
        Math.floor(random() * 300),
      ]);
    }
    for (const [p, s, t, size] of cases) {
      const expected = encodePayload(p, s, t, size);
      const len = payloadLength(p, s, t, size);
      assert.equal(len, expected.length, `length of ${p}.${s}.${t} at ${size}`);
      const buf = Buffer.alloc(len + 4, 0xee);
      assert.equal(writePayload(buf, 2, p, s, t, size), 2 + len);
      assert.equal(buf.toString("latin1", 2, 2 + len), expected);
      assert.equal(buf[1], 0xee);
      assert.equal(buf[2 + len], 0xee);
    }
  });
});
