import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodePayload, encodePayload } from "../../../harness/generator/payload.ts";

describe("payload", () => {
  test("a body is its identity prefix padded with x to exactly the message size", () => {
    const body = encodePayload(3, 42, 1_234_567, 100);
    assert.equal(body.length, 100);
    assert.ok(body.startsWith("3.42.1234567."));
    assert.equal(body.slice("3.42.1234567.".length), "x".repeat(100 - 13));
  });

  test("sizes beyond the pad block and at the prefix length are exact", () => {
    assert.equal(encodePayload(0, 0, 0, 10_000).length, 10_000);
    assert.equal(encodePayload(0, 0, 0, 1_048_576).length, 1_048_576);
    assert.equal(encodePayload(1, 2, 3, 6), "1.2.3.");
    assert.equal(encodePayload(1, 2, 3, 7), "1.2.3.x");
  });

  test("a prefix longer than the size is kept whole", () => {
    assert.equal(encodePayload(12, 345_678, 9_999_999_999, 8), "12.345678.9999999999.");
  });

  test("decode reads back what encode wrote", () => {
    for (const [p, s, t, size] of [
      [0, 0, 0, 32],
      [1, 2, 3, 100],
      [255, 9_999_999, 3_600_000_000, 64],
      [7, 123, 999_999_999_999_999, 1024],
    ] as const) {
      assert.deepEqual(decodePayload(encodePayload(p, s, t, size)), { producer: p, seq: s, intendedUs: t });
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
