import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { partitionOrder, partitionOrderCheck } from "../../../harness/checkers/partition-order.ts";
import type { DeliverOp, Op } from "../../../harness/history/op.ts";
import { HistoryBuilder } from "../../helpers/history-builder.ts";

/** Deliveries of the log engine: producer's seqs from..to read by `process` at partition@offset.. */
class LogHistory {
  readonly ops: Op[] = [];
  private t = 0;
  read(process: string, partition: number, offset: number, producer: number, from: number, to = from): this {
    this.t += 1000;
    const op: DeliverOp = {
      t: this.t,
      process,
      type: "ok",
      f: "deliver",
      producer,
      from,
      to,
      node: process,
      partition,
      offset,
    };
    this.ops.push(op);
    return this;
  }
}

const clean = {
  partitions: 0,
  inconsistentOffsets: 0,
  truncatedRewritten: 0,
  reordered: 0,
  gaps: 0,
  rewinds: 0,
};

describe("partitionOrder", () => {
  test("a clean history: every offset once, producers in order, no gaps", () => {
    const h = new LogHistory()
      .read("consumer-1", 0, 0, 0, 0, 4) // offsets 0..4 = p0 0..4
      .read("consumer-1", 0, 5, 1, 0, 2) // offsets 5..7 = p1 0..2
      .read("consumer-1", 0, 8, 0, 5, 5) // offset 8 = p0 5
      .read("consumer-2", 1, 0, 0, 6, 7) // partition 1, offsets 0..1
      .read("consumer-2", 1, 2, 1, 3, 3);
    const o = partitionOrder(h.ops);
    assert.deepEqual(o, { ...clean, partitions: 2 });
    const check = partitionOrderCheck(o!);
    assert.equal(check.name, "partition-order");
    assert.equal(check.valid, true);
    assert.equal(
      check.detail,
      "2 partitions: 0 inconsistent offsets, 0 truncated then rewritten by a later leader epoch, 0 reordered, 0 offset gaps, 0 rewinds (re-reads after a rebalance or restart)",
    );
  });

  test("an offset read twice with different messages is an inconsistent offset (invalid)", () => {
    const h = new LogHistory()
      .read("consumer-1", 0, 0, 0, 0, 4) // offsets 0..4 = p0 0..4
      .read("consumer-2", 0, 2, 0, 2, 2) // same message again at 2: fine
      .read("consumer-2", 0, 3, 1, 9, 10); // offsets 3, 4 now hold p1 9, 10: two inconsistent offsets
    const o = partitionOrder(h.ops)!;
    assert.equal(o.inconsistentOffsets, 2);
    assert.equal(o.partitions, 1);
    assert.equal(o.gaps, 0);
    assert.equal(partitionOrderCheck(o).valid, false);
  });

  test("the same offset in two partitions is not inconsistent", () => {
    const h = new LogHistory().read("c", 0, 0, 0, 0, 1).read("c", 1, 0, 1, 0, 1);
    assert.deepEqual(partitionOrder(h.ops), { ...clean, partitions: 2 });
  });

  test("a producer's seqs out of order by offset are reordered (invalid)", () => {
    // p0: 0 at offset 0, 2 at offset 1, 1 at offset 2; p1 interleaved but in order.
    const h = new LogHistory()
      .read("consumer-1", 0, 0, 0, 0)
      .read("consumer-1", 0, 1, 0, 2)
      .read("consumer-1", 0, 2, 1, 0)
      .read("consumer-1", 0, 3, 0, 1)
      .read("consumer-1", 0, 4, 1, 1);
    const o = partitionOrder(h.ops)!;
    assert.equal(o.reordered, 1);
    assert.equal(o.inconsistentOffsets, 0);
    assert.equal(partitionOrderCheck(o).valid, false);
  });

  test("order is judged by offset, not by the order deliveries were read in", () => {
    // Read out of offset order (two consumers racing), but the log itself is in order.
    const h = new LogHistory().read("consumer-2", 0, 3, 0, 3, 5).read("consumer-1", 0, 0, 0, 0, 2);
    assert.deepEqual(partitionOrder(h.ops), { ...clean, partitions: 1 });
  });

  test("missing offsets between the first and last read are counted exactly, per partition", () => {
    const h = new LogHistory()
      .read("c", 0, 0, 0, 0, 2) // 0..2
      .read("c", 0, 5, 0, 3, 4) // 5..6 (3, 4 missing)
      .read("c", 0, 10, 0, 5) // 10 (7, 8, 9 missing)
      .read("c", 1, 100, 1, 0) // partition 1 starts at 100: nothing below counts
      .read("c", 1, 102, 1, 1); // 101 missing
    const o = partitionOrder(h.ops)!;
    assert.equal(o.gaps, 6);
    assert.equal(o.reordered, 0);
    assert.equal(o.rewinds, 0);
    assert.equal(partitionOrderCheck(o).valid, true, "gaps are reported, not judged here");
  });

  test("a consumer re-reading lower offsets after a rebalance is a rewind, still valid", () => {
    const h = new LogHistory()
      .read("consumer-1", 0, 0, 0, 0, 4) // 0..4
      .read("consumer-1", 0, 2, 0, 2, 6) // back to 2 (rewind), then on to 6
      .read("consumer-1", 0, 7, 0, 7, 8) // continues: not a rewind
      .read("consumer-2", 0, 5, 0, 5, 8) // another consumer's first read of the partition: not a rewind
      .read("consumer-1", 1, 0, 1, 0, 1)
      .read("consumer-1", 1, 1, 1, 1); // re-reads offset 1 of partition 1: rewind
    const o = partitionOrder(h.ops)!;
    assert.equal(o.rewinds, 2);
    assert.equal(o.inconsistentOffsets, 0);
    assert.equal(o.reordered, 0);
    assert.equal(o.gaps, 0);
    assert.equal(partitionOrderCheck(o).valid, true);
    assert.match(partitionOrderCheck(o).detail, /2 rewinds/);
  });

  test("without partition info (the agent engine) there is nothing to judge: undefined", () => {
    const b = new HistoryBuilder().start().send(0, 0, 0, 9).deliver(5000, 0, 0, 9).deliverUnparsed(6000, 2);
    assert.equal(partitionOrder(b.build()), undefined);
    assert.equal(partitionOrder([]), undefined);
    // An offset without a partition (or the reverse) is ignored too.
    const half: DeliverOp = {
      t: 1,
      process: "c",
      type: "ok",
      f: "deliver",
      producer: 0,
      from: 0,
      to: 0,
      offset: 3,
    };
    assert.equal(partitionOrder([half]), undefined);
  });

  test("non-deliver ops among the deliveries are ignored", () => {
    const b = new HistoryBuilder()
      .start()
      .send(0, 0, 0, 1)
      .nemesis(10, "ok", "kill", "k", "broker-1", "kill");
    const h = new LogHistory().read("c", 0, 0, 0, 0, 1);
    assert.deepEqual(partitionOrder([...b.build(), ...h.ops]), { ...clean, partitions: 1 });
  });
});

describe("partitionOrderCheck with the scenario's own expectations", () => {
  const o = {
    partitions: 1,
    inconsistentOffsets: 3,
    truncatedRewritten: 0,
    reordered: 0,
    gaps: 0,
    rewinds: 0,
  };
  test("inconsistent offsets fail the check unless the scenario judges them itself", () => {
    assert.equal(partitionOrderCheck(o).valid, false);
    assert.equal(partitionOrderCheck(o, ["order.inconsistentOffsets"]).valid, true);
    assert.equal(partitionOrderCheck({ ...o, reordered: 1 }, ["order.inconsistentOffsets"]).valid, false);
  });
});
