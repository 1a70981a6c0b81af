import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deliveryAccounting, deliveryCheck } from "../../../harness/checkers/delivery.ts";
import { buildMessageTable } from "../../../harness/checkers/message-table.ts";
import type { Op } from "../../../harness/history/op.ts";
import type { Delivery } from "../../../harness/results/types.ts";
import { HistoryBuilder } from "../../helpers/history-builder.ts";

const account = (ops: Op[]) => deliveryAccounting(buildMessageTable(ops));

const zero: Delivery = {
  attempted: 0,
  acked: 0,
  failed: 0,
  indeterminate: 0,
  delivered: 0,
  lost: 0,
  duplicated: 0,
  duplicateDeliveries: 0,
  unexpected: 0,
  recovered: 0,
  failedButDelivered: 0,
  corrupted: 0,
};

/** Two producers, 20 messages each in batches of 5, all acked and delivered once. */
function clean(): HistoryBuilder {
  const b = new HistoryBuilder().start();
  for (let p = 0; p < 2; p++) {
    for (let from = 0; from < 20; from += 5) {
      b.send(from * 1000, p, from, from + 4, "ok", from * 1000 + 500);
      b.deliver(from * 1000 + 800, p, from, from + 4);
    }
  }
  return b;
}

describe("deliveryAccounting and deliveryCheck", () => {
  test("a clean history: everything acked and delivered once, the check holds", () => {
    const d = account(clean().build());
    assert.deepEqual(d, { ...zero, attempted: 40, acked: 40, delivered: 40 });
    const c = deliveryCheck(d);
    assert.equal(c.name, "delivery");
    assert.equal(c.valid, true);
    assert.equal(
      c.detail,
      "attempted 40, acked 40, failed 0, indeterminate 0; delivered 40, lost 0, duplicated 0, recovered 0, unexpected 0",
    );
  });

  test("an empty history counts nothing and holds", () => {
    const d = account([]);
    assert.deepEqual(d, zero);
    assert.equal(deliveryCheck(d).valid, true);
  });

  test("planted loss: acked, never delivered, counted exactly", () => {
    const b = new HistoryBuilder().start();
    b.send(0, 0, 0, 9, "ok", 100).deliver(200, 0, 0, 2).deliver(210, 0, 5, 9); // 3 and 4 lost
    b.send(0, 1, 0, 4, "ok", 100).deliver(200, 1, 0, 3); // 4 lost
    const d = account(b.build());
    assert.deepEqual(d, { ...zero, attempted: 15, acked: 15, delivered: 12, lost: 3 });
    assert.equal(deliveryCheck(d).valid, true, "loss is for the expectations to judge");
  });

  test("planted duplicates: distinct messages and extra copies counted exactly", () => {
    const b = clean();
    b.deliver(30_000, 0, 0, 4); // 5 messages once more
    b.deliver(31_000, 0, 2, 2).deliver(32_000, 0, 2, 2); // message 2 twice more
    b.deliver(33_000, 1, 19, 19);
    const d = account(b.build());
    assert.deepEqual(d, {
      ...zero,
      attempted: 40,
      acked: 40,
      delivered: 40,
      duplicated: 6,
      duplicateDeliveries: 8,
    });
    assert.equal(deliveryCheck(d).valid, true);
  });

  test("planted unexpected: unattempted seq, unknown producer and unparsed bodies fail the check", () => {
    const cases: [string, (b: HistoryBuilder) => void, number][] = [
      ["seq never attempted", (b) => b.deliver(50_000, 0, 20, 21), 2],
      ["unknown producer", (b) => b.deliver(50_000, 7, 0, 0), 1],
      ["deliver-unparsed", (b) => b.deliverUnparsed(50_000, 3), 3],
    ];
    for (const [what, plant, n] of cases) {
      const b = clean();
      plant(b);
      const d = account(b.build());
      assert.deepEqual(d, { ...zero, attempted: 40, acked: 40, delivered: 40, unexpected: n }, what);
      const c = deliveryCheck(d);
      assert.equal(c.valid, false, what);
      assert.match(c.detail, new RegExp(`unexpected ${n}$`), what);
    }
  });

  test("failed (fail op) and indeterminate (info op, unanswered invoke) are told apart", () => {
    const b = new HistoryBuilder().start();
    b.send(0, 0, 0, 3, "fail", 100); // 4 failed
    b.send(0, 0, 4, 5, "info", 2000); // 2 indeterminate (timeout)
    b.invoke(3000, 0, 6, 8); // 3 indeterminate (never answered)
    b.send(0, 0, 9, 9, "ok", 100).deliver(200, 0, 9, 9);
    const d = account(b.build());
    assert.deepEqual(d, { ...zero, attempted: 10, acked: 1, failed: 4, indeterminate: 5, delivered: 1 });
    assert.equal(deliveryCheck(d).valid, true);
  });

  test("recovered: indeterminate sends delivered after all, including unanswered ones", () => {
    const b = new HistoryBuilder().start();
    b.send(0, 0, 0, 3, "info", 2000).deliver(2500, 0, 0, 2);
    b.invoke(3000, 0, 4, 5);
    b.deliver(3100, 0, 5, 5);
    const d = account(b.build());
    assert.deepEqual(d, { ...zero, attempted: 6, indeterminate: 6, delivered: 4, recovered: 4 });
  });

  test("failedButDelivered: a definite failure that arrived anyway", () => {
    const b = new HistoryBuilder().start();
    b.send(0, 0, 0, 4, "fail", 100).deliver(200, 0, 1, 2).deliver(300, 0, 1, 1);
    const d = account(b.build());
    assert.deepEqual(d, {
      ...zero,
      attempted: 5,
      failed: 5,
      delivered: 2,
      failedButDelivered: 2,
      corrupted: 0,
      duplicated: 1,
      duplicateDeliveries: 1,
    });
    assert.equal(d.lost, 0, "a failed message that never arrives is not lost");
  });

  test("everything at once adds up", () => {
    const b = clean();
    b.send(40_000, 0, 20, 24, "ok", 40_500).deliver(41_000, 0, 20, 22); // 2 lost
    b.send(40_000, 1, 20, 21, "fail", 40_500).deliver(41_000, 1, 21, 21); // 1 failedButDelivered
    b.send(40_000, 1, 22, 24, "info", 42_000).deliver(43_000, 1, 22, 22); // 1 recovered
    b.deliver(44_000, 0, 0, 1); // 2 duplicated
    b.deliver(45_000, 0, 25, 25).deliverUnparsed(45_000, 1); // 2 unexpected
    const d = account(b.build());
    assert.deepEqual(d, {
      attempted: 50,
      acked: 45,
      failed: 2,
      indeterminate: 3,
      delivered: 45,
      lost: 2,
      duplicated: 2,
      duplicateDeliveries: 2,
      unexpected: 2,
      recovered: 1,
      failedButDelivered: 1,
      corrupted: 0,
    });
    assert.equal(deliveryCheck(d).valid, false);
  });
});
