import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodePayload } from "../../../../harness/generator/payload.ts";
import { idRuns } from "../../../../harness/targets/shared/id-runs.ts";

const body = (producer: number, seq: number) => encodePayload(producer, seq, seq * 1000, 48);

describe("idRuns", () => {
  test("consecutive seqs of one producer make one run; a producer change or a gap starts another", () => {
    const r = idRuns(
      [body(0, 1), body(0, 2), body(0, 3), body(1, 4), body(0, 5), body(0, 7)].map((b) => ({ body: b })),
    );
    assert.deepEqual(r, {
      runs: [
        [0, 1, 3],
        [1, 4, 4],
        [0, 5, 5],
        [0, 7, 7],
      ],
      unparsed: 0,
    });
  });

  test("with positions a run also needs consecutive offsets in one partition, and carries the first", () => {
    const at = (seq: number, partition: number, offset: number) => ({
      body: body(2, seq),
      position: { partition, offset },
    });
    assert.deepEqual(idRuns([at(0, 0, 10), at(1, 0, 11), at(2, 0, 13), at(3, 1, 14)]).runs, [
      [2, 0, 1, 0, 10],
      [2, 2, 2, 0, 13],
      [2, 3, 3, 1, 14],
    ]);
  });

  test("bodies faultbench did not write are counted, with the first as a sample, and break runs", () => {
    const r = idRuns([{ body: body(0, 0) }, { body: "hello" }, { body: null }, { body: body(0, 1) }]);
    assert.deepEqual(r, {
      runs: [
        [0, 0, 0],
        [0, 1, 1],
      ],
      unparsed: 2,
      sample: "hello",
    });
  });
});
