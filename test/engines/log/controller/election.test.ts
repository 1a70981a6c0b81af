import assert from "node:assert/strict";
import { test } from "node:test";
import { addBroker, assignReplicas, removeBroker } from "../../../../engines/log/controller/election.ts";
import type { PartitionState } from "../../../../engines/log/controller/metadata-image.ts";

const p = (leader: number, isr: number[], epoch = 3): PartitionState => ({
  replicas: [1, 2, 3],
  leader,
  isr,
  leaderEpoch: epoch,
  partitionEpoch: 7,
});

test("a fenced leader hands leadership to a live ISR member and leaves the ISR", () => {
  const next = removeBroker(p(1, [1, 2, 3]), 1, new Set([2, 3]), false)!;
  assert.equal(next.leader, 2);
  assert.deepEqual(next.isr, [2, 3]);
  assert.equal(next.leaderEpoch, 4);
  assert.equal(next.partitionEpoch, 8);
});

test("a fenced follower only leaves the ISR; the epoch stays", () => {
  const next = removeBroker(p(1, [1, 2, 3]), 3, new Set([1, 2]), false)!;
  assert.equal(next.leader, 1);
  assert.deepEqual(next.isr, [1, 2]);
  assert.equal(next.leaderEpoch, 3);
});

test("the last ISR member stays in the ISR; without unclean election the partition goes offline", () => {
  const next = removeBroker(p(1, [1]), 1, new Set([2, 3]), false)!;
  assert.equal(next.leader, -1);
  assert.deepEqual(next.isr, [1]);
  // The ISR member returns: it leads again, cleanly.
  const back = addBroker(next, 1, new Set([1, 2, 3]), false)!;
  assert.equal(back.leader, 1);
  // A stale replica returning changes nothing unless unclean election is on.
  assert.equal(addBroker(next, 2, new Set([2, 3]), false), null);
});

test("unclean election lets an out-of-sync replica lead with an ISR of itself", () => {
  const next = removeBroker(p(1, [1]), 1, new Set([2, 3]), true)!;
  assert.equal(next.leader, 2);
  assert.deepEqual(next.isr, [2]);
  assert.equal(next.leaderEpoch, 4);
  const offline = { ...p(-1, [1]), leaderEpoch: 4 };
  assert.deepEqual(addBroker(offline, 3, new Set([3]), true)!.isr, [3]);
});

test("round-robin assignment spreads leaders", () => {
  assert.deepEqual(assignReplicas([1, 2, 3], 3, 2), [
    [1, 2],
    [2, 3],
    [3, 1],
  ]);
});
