// Jepsen-named order anomalies on hand-built log histories.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildMessageTable } from "../../../harness/checkers/message-table.ts";
import { orderAnomalies } from "../../../harness/checkers/order-anomalies.ts";
import type { DeliverOp, Op } from "../../../harness/history/op.ts";
import { HistoryBuilder } from "../../helpers/history-builder.ts";

function read(
  b: HistoryBuilder,
  t: number,
  consumer: string,
  producer: number,
  from: number,
  to: number,
  partition: number,
  offset: number,
) {
  const op: DeliverOp = {
    t,
    process: consumer,
    type: "ok",
    f: "deliver",
    producer,
    from,
    to,
    node: consumer,
    partition,
    offset,
  };
  b.ops.push(op);
}

const anomalies = (ops: Op[]) => orderAnomalies(ops, buildMessageTable(ops));

describe("orderAnomalies", () => {
  test("a clean log has none", () => {
    const b = new HistoryBuilder();
    b.send(0, 0, 0, 9);
    read(b, 5000, "c1", 0, 0, 9, 0, 0);
    assert.deepEqual(anomalies(b.build()), { lostWrite: 0, unseen: 0, duplicate: 0, pollSkip: 0 });
  });

  test("lostWrite: acked, never read, while a later message of its producer was; unseen: nothing later read", () => {
    const b = new HistoryBuilder();
    b.send(0, 0, 0, 9);
    b.send(1000, 0, 10, 19);
    read(b, 5000, "c1", 0, 0, 4, 0, 0); // 5-9 never read ...
    read(b, 6000, "c1", 0, 10, 14, 0, 5); // ... though 10-14 were: lostWrite 5
    // 15-19 acked, never read, nothing later: unseen 5
    const a = anomalies(b.build());
    assert.equal(a.lostWrite, 5);
    assert.equal(a.unseen, 5);
  });

  test("duplicate: one message at two offsets; pollSkip: a consumer jumped over offsets that exist", () => {
    const b = new HistoryBuilder();
    b.send(0, 0, 0, 3);
    read(b, 5000, "c1", 0, 0, 1, 0, 0);
    read(b, 5100, "c1", 0, 2, 3, 0, 4); // skipped offsets 2-3 ...
    read(b, 5200, "c2", 0, 0, 1, 0, 2); // ... which exist (c2 read them): messages 0-1 at two offsets
    const a = anomalies(b.build());
    assert.equal(a.duplicate, 2);
    assert.equal(a.pollSkip, 2);
  });

  test("a jump over offsets another consumer already read (a rebalance) is not a skip", () => {
    const b = new HistoryBuilder();
    b.send(0, 0, 0, 5);
    read(b, 5000, "c1", 0, 0, 1, 0, 0);
    read(b, 5100, "c2", 0, 2, 3, 0, 2);
    read(b, 5200, "c1", 0, 4, 5, 0, 4);
    assert.equal(anomalies(b.build()).pollSkip, 0);
  });
});
