// Telling a truncated-then-rewritten offset (a later leader epoch re-used it) from a genuine
// inconsistency (two messages at one offset in one epoch), on hand-built log histories.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { attributeTruncations } from "../../../harness/checkers/loss-attribution.ts";
import {
  epochAt,
  finalLogOf,
  offsetClashes,
  truncatedReadTimes,
} from "../../../harness/checkers/offset-epochs.ts";
import { partitionOrder, partitionOrderCheck } from "../../../harness/checkers/partition-order.ts";
import type { DeliverOp, Op, ReplicasOp } from "../../../harness/history/op.ts";

let t = 0;
/** producer's seqs from..to read at partition@offset.. in leader epoch `epoch` (undefined: unknown). */
function read(
  partition: number,
  offset: number,
  producer: number,
  from: number,
  to: number,
  epoch?: number,
  process = "consumer-1",
): DeliverOp {
  t += 1000;
  const op: DeliverOp = { t, process, type: "ok", f: "deliver", producer, from, to, partition, offset };
  return epoch === undefined ? op : { ...op, epoch };
}

/** The final log of one partition as the log target records it: batches [base, last, epoch]. */
function replicas(partition: number, hw: number, batches: Array<[number, number, number]>): ReplicasOp {
  const b = batches.map(([baseOffset, lastOffset, epoch]) => ({ baseOffset, lastOffset, epoch, crc: 0 }));
  return {
    t: 1e9,
    process: "harness",
    type: "info",
    f: "replicas",
    topic: "t",
    partition,
    replicas: [
      { broker: "broker-2", highWatermark: hw, batches: b },
      // A replica behind the others: the final log is the one with the highest high watermark.
      { broker: "broker-3", highWatermark: 2, batches: b.slice(0, 1) },
    ],
  };
}

describe("offsetClashes", () => {
  test("an offset read with message A in epoch 1, then with B in epoch 2, is truncated then rewritten", () => {
    const reads = [
      read(0, 0, 0, 0, 4, 1), // offsets 0..4 = p0 0..4, epoch 1
      read(0, 5, 0, 5, 7, 1), // offsets 5..7 = p0 5..7, epoch 1 — later truncated
      read(0, 5, 1, 0, 2, 2, "consumer-2"), // offsets 5..7 re-used by p1 0..2, epoch 2
    ];
    assert.deepEqual(offsetClashes(reads), { inconsistentOffsets: 0, truncatedRewritten: 3 });
  });

  test("two messages at one offset in the SAME epoch stay inconsistent offsets", () => {
    const reads = [read(0, 0, 0, 0, 4, 3), read(0, 2, 1, 0, 1, 3, "consumer-2")];
    assert.deepEqual(offsetClashes(reads), { inconsistentOffsets: 2, truncatedRewritten: 0 });
  });

  test("a clash where either read's epoch is unknown is an inconsistent offset, as before epochs", () => {
    const reads = [read(0, 0, 0, 0, 0, 1), read(0, 0, 1, 0, 0)];
    assert.deepEqual(offsetClashes(reads), { inconsistentOffsets: 1, truncatedRewritten: 0 });
  });

  test("the same message read again at its offset (a re-read after a rebalance) is no clash", () => {
    const reads = [read(0, 0, 0, 0, 4, 1), read(0, 0, 0, 0, 4, 1, "consumer-2"), read(0, 0, 0, 0, 1)];
    assert.deepEqual(offsetClashes(reads), { inconsistentOffsets: 0, truncatedRewritten: 0 });
  });

  test("a read whose offset the final log holds in a later epoch was rewritten, even though nobody read the new one", () => {
    const reads = [read(0, 0, 0, 0, 9, 1)]; // offsets 0..9, epoch 1
    // The final log kept 0..5 of epoch 1; a stale replica led in epoch 2 and wrote 6..11.
    const final = finalLogOf([
      replicas(0, 12, [
        [0, 5, 1],
        [6, 11, 2],
      ]),
    ]);
    assert.deepEqual(offsetClashes(reads, final), { inconsistentOffsets: 0, truncatedRewritten: 4 });
    // Offsets the final log does not reach (or reaches only above its HW) are not judged.
    const short = finalLogOf([
      replicas(0, 7, [
        [0, 5, 1],
        [6, 11, 2],
      ]),
    ]);
    assert.deepEqual(offsetClashes(reads, short), { inconsistentOffsets: 0, truncatedRewritten: 1 });
  });

  test("a later epoch's read replaced by an older epoch in the final log is inconsistent, not a rewrite", () => {
    const reads = [read(0, 0, 0, 0, 0, 1), read(0, 0, 1, 0, 0, 2)];
    const final = finalLogOf([replicas(0, 1, [[0, 0, 1]])]);
    assert.deepEqual(offsetClashes(reads, final), { inconsistentOffsets: 1, truncatedRewritten: 0 });
  });

  test("epochAt finds the batch holding an offset", () => {
    const final = finalLogOf([
      replicas(4, 30, [
        [0, 9, 0],
        [10, 19, 2],
        [20, 29, 5],
      ]),
    ]);
    assert.equal(epochAt(final, 4, 0), 0);
    assert.equal(epochAt(final, 4, 19), 2);
    assert.equal(epochAt(final, 4, 25), 5);
    assert.equal(epochAt(final, 4, 30), undefined);
    assert.equal(epochAt(final, 1, 0), undefined);
  });
});

describe("partitionOrder across leader epochs", () => {
  test("a rewrite across epochs is truncatedRewritten and keeps the partition-order check valid", () => {
    const ops: Op[] = [read(0, 0, 0, 0, 4, 1), read(0, 3, 1, 0, 1, 2, "consumer-2")];
    const o = partitionOrder(ops);
    assert.equal(o?.inconsistentOffsets, 0);
    assert.equal(o?.truncatedRewritten, 2);
    assert.equal(partitionOrderCheck(o!).valid, true);
  });

  test("the same clash within one epoch fails the check", () => {
    const ops: Op[] = [read(0, 0, 0, 0, 4, 1), read(0, 3, 1, 0, 1, 1, "consumer-2")];
    const o = partitionOrder(ops);
    assert.equal(o?.inconsistentOffsets, 2);
    assert.equal(o?.truncatedRewritten, 0);
    assert.equal(partitionOrderCheck(o!).valid, false);
  });

  test("the final log recorded in the history (replicas ops) is used", () => {
    const ops: Op[] = [
      read(0, 0, 0, 0, 9, 1),
      replicas(0, 12, [
        [0, 5, 1],
        [6, 11, 2],
      ]),
    ];
    assert.equal(partitionOrder(ops)?.truncatedRewritten, 4);
  });
});

describe("truncatedReadTimes and attributeTruncations", () => {
  test("each rewritten offset gives the time its older message was first read", () => {
    const a = read(0, 5, 0, 5, 6, 1); // offsets 5..6, epoch 1
    const b = read(0, 5, 1, 0, 0, 2, "consumer-2"); // offset 5 re-used in epoch 2
    const final = replicas(0, 7, [
      [0, 4, 1],
      [5, 6, 2],
    ]);
    // Offset 5 clashes (a then b); offset 6 is held by the final log in epoch 2: both read at a.t.
    assert.deepEqual(truncatedReadTimes([a, b, final]), [a.t, a.t]);
  });

  test("a truncated read goes to the first fault after it, else the one active at it, else nobody", () => {
    const faults = [
      { name: "cut", startUs: 3_000_000, endUs: 9_000_000 },
      { name: "kill", startUs: 7_000_000, endUs: 12_000_000 },
    ];
    const r = attributeTruncations([1_000_000, 5_000_000, 6_900_000, 8_000_000, 13_000_000], faults);
    assert.deepEqual(Object.fromEntries(r.byFault), { cut: 1, kill: 3 });
    assert.equal(r.unattributed, 1);
  });
});
