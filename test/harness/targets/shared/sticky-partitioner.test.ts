import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { keyHash, StickyPartitioner } from "../../../../harness/targets/shared/sticky-partitioner.ts";

describe("StickyPartitioner", () => {
  test("an unkeyed send goes to one partition, the next send of that producer to the next one", () => {
    const p = new StickyPartitioner(3);
    const none = { key: undefined };
    assert.deepEqual(p.assign(1, [none, none]), [1, 1]);
    assert.deepEqual(p.assign(1, [none]), [2]);
    assert.deepEqual(p.assign(1, [none]), [0]);
    assert.deepEqual(p.assign(0, [none]), [0]);
  });

  test("a key always lands in the same partition, whatever the producer or send", () => {
    const p = new StickyPartitioner(5);
    const first = p.assign(0, [{ key: "user-42" }])[0];
    for (let i = 0; i < 4; i++) assert.equal(p.assign(i, [{ key: "user-42" }])[0], first);
    assert.equal(first, keyHash("user-42") % 5);
  });

  test("keys spread over every partition", () => {
    const p = new StickyPartitioner(4);
    const parts = new Set(
      p.assign(
        0,
        Array.from({ length: 64 }, (_, i) => ({ key: `k${i}` })),
      ),
    );
    assert.equal(parts.size, 4);
  });
});
