import assert from "node:assert/strict";
import { test } from "node:test";
import type { Op } from "../../../harness/history/op.ts";
import { pairSends, sendCount, sendSeq } from "../../../harness/history/sends.ts";

const send = (t: number, type: string, req: number) =>
  ({ t, process: "producer-0", type, f: "send", req, producer: 0, from: req * 10, to: req * 10 + 9 }) as Op;

test("pairs each invoke with the completion of its request, in invoke order; unanswered ones stay open", () => {
  const ops = [
    send(1, "invoke", 0),
    send(2, "invoke", 1),
    { t: 3, process: "c", type: "ok", f: "deliver", producer: 0, from: 0, to: 9 } as Op,
    send(4, "info", 1),
    send(5, "invoke", 2),
    send(6, "ok", 0),
    send(7, "ok", 0),
    send(8, "fail", 9),
  ];
  const pairs = pairSends(ops);
  assert.deepEqual(
    pairs.map((p) => [p.invoke.req, p.completion?.type, p.completion?.t]),
    [
      [0, "ok", 6],
      [1, "info", 4],
      [2, undefined, undefined],
    ],
  );
});

test("a send covers from..to, or exactly its listed seqs (one partition's share of a keyed batch)", () => {
  const range = { from: 10, to: 14 };
  assert.equal(sendCount(range), 5);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => sendSeq(range, i)),
    [10, 11, 12, 13, 14],
  );
  const listed = { from: 3, to: 9, seqs: [3, 5, 9] };
  assert.equal(sendCount(listed), 3);
  assert.deepEqual(
    [0, 1, 2].map((i) => sendSeq(listed, i)),
    [3, 5, 9],
  );
});
