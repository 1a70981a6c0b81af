import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { attributeLoss } from "../../../harness/checkers/loss-attribution.ts";
import { ACKED, type MessageTable } from "../../../harness/checkers/message-table.ts";

/** One producer whose messages were acked at the given times (s) and never delivered. */
function lostAt(ackS: number[]): MessageTable {
  const n = ackS.length;
  return {
    producers: [
      {
        state: new Uint8Array(n).fill(ACKED),
        sentUs: Float64Array.from(ackS, (t) => t * 1e6 - 1000),
        ackedUs: Float64Array.from(ackS, (t) => t * 1e6),
        delivered: new Uint16Array(n),
        firstDeliveredUs: new Float64Array(n).fill(Number.NaN),
      },
    ],
    unexpectedDeliveries: 0,
    corruptedDeliveries: 0,
  };
}
const s = (x: number) => x * 1e6;

describe("loss attribution", () => {
  test("a kill after the ack is charged; a pause or cut never is where leadership cannot move", () => {
    const r = attributeLoss(lostAt([1, 2, 6]), [{ name: "kill", startUs: s(3) }]);
    assert.deepEqual([...r.byFault], [["kill", 2]]);
    assert.equal(r.unattributed, 1);
  });

  test("an isolated leader's acks are charged to the cut that was active when it acked them", () => {
    // The cut lasts 4 s .. 10 s; no kill at all: writes acked during it are the cut's, before it too.
    const r = attributeLoss(lostAt([3, 5, 9, 10.5, 11.5]), [
      { name: "isolate-leader", startUs: s(4), endUs: s(10) },
    ]);
    assert.deepEqual([...r.byFault], [["isolate-leader", 4]], "up to 1 s after the heal counts");
    assert.equal(r.unattributed, 1, "acked 1.5 s after the heal: nothing explains it");
  });

  test("with a kill after the ack, the kill is charged, not a follower pause that was active", () => {
    // pull-vs-push: followers stalled 3 .. 5 s, the leader killed at 4.5 s. The stall alone loses
    // nothing; the kill destroys the tail only the leader held.
    const r = attributeLoss(lostAt([3.5, 4.2, 4.8]), [
      { name: "stall-follower-2", startUs: s(3), endUs: s(5) },
      { name: "kill-leader", startUs: s(4.5) },
    ]);
    assert.equal(r.byFault.get("kill-leader"), 2);
    assert.equal(r.byFault.get("stall-follower-2"), 1, "acked after the kill, while the stall lasted");
    assert.equal(r.unattributed, 0);
  });

  test("faults planned for the same moment: the first in the scenario is charged, whichever started first", () => {
    // Three power losses planned at 4 s; the nemesis happened to start the second one first.
    const r = attributeLoss(lostAt([3, 3.5]), [
      { name: "power-1", startUs: s(4.003), plannedMs: 4000 },
      { name: "power-2", startUs: s(4.0), plannedMs: 4000 },
      { name: "power-3", startUs: s(4.002), plannedMs: 4000 },
    ]);
    assert.deepEqual(
      [...r.byFault],
      [
        ["power-1", 2],
        ["power-2", 0],
        ["power-3", 0],
      ],
    );
    // A write acked between two of the starts goes to the first planned fault that started after it.
    const between = attributeLoss(lostAt([4.0025]), [
      { name: "power-1", startUs: s(4.003), plannedMs: 4000 },
      { name: "power-2", startUs: s(4.0), plannedMs: 4000 },
    ]);
    assert.equal(between.byFault.get("power-1"), 1);
    // Planned apart, the plan's order holds.
    const apart = attributeLoss(lostAt([1]), [
      { name: "later", startUs: s(6), plannedMs: 6000 },
      { name: "earlier", startUs: s(3), plannedMs: 3000 },
    ]);
    assert.equal(apart.byFault.get("earlier"), 1);
  });
});
