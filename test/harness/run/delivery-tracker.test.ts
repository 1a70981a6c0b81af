import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DeliveryTracker } from "../../../harness/run/delivery-tracker.ts";

const counts = (t: DeliveryTracker) => ({ awaiting: t.awaiting, delivered: t.delivered });

describe("DeliveryTracker", () => {
  test("acked messages are awaited until they arrive", () => {
    const t = new DeliveryTracker();
    assert.deepEqual(counts(t), { awaiting: 0, delivered: 0 });
    t.awaited(0, 0, 9);
    assert.deepEqual(counts(t), { awaiting: 10, delivered: 0 });
    t.arrived(0, 0, 3);
    assert.deepEqual(counts(t), { awaiting: 6, delivered: 4 });
    t.arrived(0, 4, 9);
    assert.deepEqual(counts(t), { awaiting: 0, delivered: 10 });
  });

  test("duplicates count once, as deliveries and as awaited", () => {
    const t = new DeliveryTracker();
    t.awaited(0, 0, 4);
    t.awaited(0, 2, 6); // an info then a retried ok over the same ids
    assert.equal(t.awaiting, 7);
    t.arrived(0, 0, 4);
    t.arrived(0, 0, 4);
    t.arrived(0, 3, 3);
    assert.deepEqual(counts(t), { awaiting: 2, delivered: 5 });
  });

  test("a delivery that comes before its ack is not awaited afterwards", () => {
    const t = new DeliveryTracker();
    t.arrived(1, 0, 4);
    assert.deepEqual(counts(t), { awaiting: 0, delivered: 5 });
    t.awaited(1, 0, 9);
    assert.deepEqual(counts(t), { awaiting: 5, delivered: 5 });
    t.arrived(1, 5, 9);
    assert.deepEqual(counts(t), { awaiting: 0, delivered: 10 });
  });

  test("deliveries of messages never awaited (failed sends) count as delivered only", () => {
    const t = new DeliveryTracker();
    t.awaited(0, 0, 1);
    t.arrived(0, 10, 12);
    assert.deepEqual(counts(t), { awaiting: 2, delivered: 3 });
  });

  test("producers are tracked apart, and sparse producer numbers work", () => {
    const t = new DeliveryTracker();
    t.awaited(0, 0, 2);
    t.awaited(7, 0, 2);
    t.arrived(7, 0, 2);
    assert.deepEqual(counts(t), { awaiting: 3, delivered: 3 });
    t.arrived(3, 0, 0);
    assert.deepEqual(counts(t), { awaiting: 3, delivered: 4 });
  });

  test("high seqs grow the table and keep what was recorded before", () => {
    const t = new DeliveryTracker();
    t.awaited(0, 0, 1);
    t.arrived(0, 1000, 1023); // fills the first 1024 slots' end
    t.awaited(0, 1020, 1030); // 1020..1023 already arrived
    assert.equal(t.awaiting, 2 + 7);
    t.awaited(0, 100_000, 100_004);
    assert.equal(t.awaiting, 2 + 7 + 5);
    t.arrived(0, 0, 1); // the early flags survived the growth
    t.arrived(0, 1024, 1030);
    t.arrived(0, 100_000, 100_004);
    t.arrived(0, 1000, 1023); // re-delivery after growth: still known
    assert.deepEqual(counts(t), { awaiting: 0, delivered: 2 + 24 + 7 + 5 });
  });
});
