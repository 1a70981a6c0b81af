import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type PlannedMessage, Schedule, type ScheduleWorkload } from "../../../harness/generator/schedule.ts";
import {
  formatSlice,
  parseSlice,
  producersOf,
  SlicedSchedule,
  sliceProblem,
  slices,
} from "../../../harness/generator/slice.ts";

function workload(extra: Partial<ScheduleWorkload> = {}): ScheduleWorkload {
  return { rate: 5000, arrival: "poisson", producers: 7, keys: 13, warmup: 300, duration: 1200, ...extra };
}

function drain(s: { next(): PlannedMessage | undefined }): PlannedMessage[] {
  const out: PlannedMessage[] = [];
  for (let m = s.next(); m !== undefined; m = s.next()) out.push(m);
  return out;
}

describe("schedule slices (execution segments)", () => {
  test("the producers of the slices partition [0, P)", () => {
    for (const P of [1, 2, 5, 7, 64]) {
      for (let n = 1; n <= P; n++) {
        const owned = slices(n).flatMap((s) => {
          const r = producersOf(s, P);
          return Array.from({ length: r.to - r.from }, (_, k) => r.from + k);
        });
        assert.deepEqual(
          owned,
          Array.from({ length: P }, (_, k) => k),
          `P=${P} n=${n}`,
        );
      }
    }
  });

  for (const n of [1, 2, 3, 7]) {
    test(`the union of ${n} slices is the single-process plan exactly (poisson, keys, ramp)`, () => {
      const w = workload({ rate: { kind: "ramp", from: 1000, to: 9000 } });
      const whole = drain(new Schedule(w, 42));
      const parts = slices(n).map((s) => drain(new SlicedSchedule(w, 42, s)));
      const union = parts.flat().sort((a, b) => a.index - b.index);
      assert.deepEqual(union, whole);
      // Disjoint: no message in two slices.
      assert.equal(new Set(union.map((m) => m.index)).size, union.length);
      // Each slice keeps to its own producers and its messages stay in time order.
      parts.forEach((msgs, i) => {
        const r = producersOf({ index: i, count: n }, w.producers);
        for (const m of msgs) assert.ok(m.producer >= r.from && m.producer < r.to);
        for (let k = 1; k < msgs.length; k++)
          assert.ok((msgs[k] as PlannedMessage).intendedUs >= (msgs[k - 1] as PlannedMessage).intendedUs);
      });
    });
  }

  test("peekUs is the intended time of the slice's own next message", () => {
    const w = workload({ arrival: "uniform", producers: 4 });
    const s = new SlicedSchedule(w, 1, { index: 1, count: 2 });
    for (let k = 0; k < 100; k++) {
      const peek = s.peekUs();
      const m = s.next() as PlannedMessage;
      assert.equal(Math.round(peek), m.intendedUs);
      assert.ok(m.producer === 2 || m.producer === 3);
    }
  });

  test("slices are written i/n as k6 does and round-trip", () => {
    assert.deepEqual(parseSlice("2/3"), { index: 1, count: 3 });
    assert.equal(formatSlice({ index: 1, count: 3 }), "2/3");
    assert.equal(parseSlice("0/3"), undefined);
    assert.equal(parseSlice("4/3"), undefined);
    assert.equal(parseSlice("x"), undefined);
  });

  test("more workers than producers is refused with the fix", () => {
    assert.match(sliceProblem(3, 2) ?? "", /raise workload.producers/);
    assert.equal(sliceProblem(2, 2), undefined);
  });
});
