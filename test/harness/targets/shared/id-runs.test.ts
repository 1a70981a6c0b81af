import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodePayload } from "../../../../harness/generator/payload.ts";
import { idRuns } from "../../../../harness/targets/shared/id-runs.ts";

const body = (producer: number, seq: number) => encodePayload(producer, seq, seq * 1000, 48);

describe("idRuns", () => {
  test("consecutive seqs of one producer make one run; a producer change or a gap starts another", () => {
    const r = idRuns([body(0, 1), body(0, 2), body(0, 3), body(1, 4), body(0, 5), body(0, 7)]);
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

  test("bodies faultbench did not write are counted, with the first as a sample, and break runs", () => {
    const r = idRuns([body(0, 0), "hello", null, body(0, 1)]);
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
