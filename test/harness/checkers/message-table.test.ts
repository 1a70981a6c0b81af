import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ACKED,
  ATTEMPTED,
  buildMessageTable,
  FAILED,
  INFO,
  NONE,
} from "../../../harness/checkers/message-table.ts";
import { HistoryBuilder } from "../../helpers/history-builder.ts";

describe("buildMessageTable", () => {
  test("one slot per seq up to the highest attempted, per producer", () => {
    const t = buildMessageTable(new HistoryBuilder().start().send(0, 0, 0, 4).send(0, 2, 0, 1).build());
    assert.equal(t.producers.length, 3);
    assert.equal(t.producers[0]?.state.length, 5);
    assert.equal(t.producers[1]?.state.length, 0, "a producer that sent nothing has an empty table");
    assert.equal(t.producers[2]?.state.length, 2);
    assert.equal(t.unexpectedDeliveries, 0);
  });

  test("records outcome, send, ack and first delivery times and delivery counts", () => {
    const b = new HistoryBuilder();
    b.send(100, 0, 0, 1, "ok", 150);
    b.send(200, 0, 2, 2, "fail", 260);
    b.send(300, 0, 3, 3, "info", 390);
    b.invoke(400, 0, 4, 4);
    b.deliver(500, 0, 0, 0).deliver(600, 0, 0, 1);
    const p = buildMessageTable(b.build()).producers[0];
    assert.ok(p);
    assert.deepEqual([...p.state], [ACKED, ACKED, FAILED, INFO, INFO]);
    assert.deepEqual([...p.sentUs], [100, 100, 200, 300, 400]);
    assert.deepEqual([...p.ackedUs], [150, 150, Number.NaN, Number.NaN, Number.NaN]);
    assert.deepEqual([...p.delivered], [2, 1, 0, 0, 0]);
    assert.deepEqual([...p.firstDeliveredUs], [500, 600, Number.NaN, Number.NaN, Number.NaN]);
  });

  test("a gap in the sequence stays NONE", () => {
    const p = buildMessageTable(new HistoryBuilder().send(0, 0, 0, 0).send(0, 0, 3, 3).build()).producers[0];
    assert.deepEqual([...(p?.state ?? [])], [ACKED, NONE, NONE, ACKED]);
  });

  test("a retry's definite answer beats an earlier unknown one, and ok is never downgraded", () => {
    const b = new HistoryBuilder();
    b.send(0, 0, 0, 0, "info", 10).send(20, 0, 0, 0, "ok", 30); // info then ok -> acked
    b.send(0, 0, 1, 1, "ok", 10).send(20, 0, 1, 1, "fail", 30); // ok then fail -> acked
    b.send(0, 0, 2, 2, "fail", 10).send(20, 0, 2, 2, "info", 30); // fail then info -> info
    const p = buildMessageTable(b.build()).producers[0];
    assert.deepEqual([...(p?.state ?? [])], [ACKED, ACKED, INFO]);
    assert.deepEqual([...(p?.sentUs ?? [])], [0, 0, 0], "the first send time is kept");
    assert.deepEqual([...(p?.ackedUs ?? [])], [30, 10, Number.NaN]);
  });

  test("an invoke never answered is INFO, a completion with no invoke is ignored", () => {
    const b = new HistoryBuilder();
    b.invoke(0, 0, 0, 1);
    const ops = b.build();
    ops.push({ t: 5, process: "p0", type: "ok", f: "send", req: 99, producer: 0, from: 0, to: 1 });
    const p = buildMessageTable(ops).producers[0];
    assert.deepEqual([...(p?.state ?? [])], [INFO, INFO]);
    assert.ok(Number.isNaN(p?.ackedUs[0] as number));
    assert.notEqual(ATTEMPTED, INFO);
  });

  test("deliveries of unknown producers, unattempted seqs and unparsed bodies are unexpected", () => {
    const b = new HistoryBuilder().send(0, 0, 0, 3).send(0, 0, 6, 6);
    b.deliver(10, 0, 4, 5); // gap: never attempted
    b.deliver(10, 0, 7, 9); // beyond the highest seq
    b.deliver(10, 5, 0, 1); // no such producer
    b.deliverUnparsed(10, 4);
    b.deliver(10, 0, 0, 0); // fine
    const t = buildMessageTable(b.build());
    assert.equal(t.unexpectedDeliveries, 2 + 3 + 2 + 4);
    assert.equal(t.producers[0]?.delivered[0], 1);
  });

  test("is pure: the same history builds the same table", () => {
    const ops = new HistoryBuilder().send(0, 0, 0, 9).send(5, 1, 0, 9, "info").deliver(20, 0, 0, 9).build();
    assert.deepEqual(buildMessageTable(ops), buildMessageTable(ops));
  });
});
