import assert from "node:assert/strict";
import { test } from "node:test";
import type { ScheduleWorkload } from "../../../harness/generator/schedule.ts";
import { SlicedSchedule } from "../../../harness/generator/slice.ts";
import { unseenSends } from "../../../harness/remote/lost-sends.ts";

const w: ScheduleWorkload = {
  rate: 2000,
  arrival: "poisson",
  producers: 5,
  keys: 0,
  warmup: 200,
  duration: 800,
};

test("a lost worker's unseen sends are exactly its slice's messages after the last invoked", () => {
  const slice = { index: 1, count: 2 };
  const last = new Map([
    [2, 40],
    [3, 7],
  ]);
  const ranges = unseenSends(w, 3, slice, last);
  const expected = new Set<string>();
  const s = new SlicedSchedule(w, 3, slice);
  for (let m = s.next(); m !== undefined; m = s.next())
    if (m.seq > (last.get(m.producer) ?? -1)) expected.add(`${m.producer}.${m.seq}`);
  const got = ranges.flatMap((r) =>
    Array.from({ length: r.to - r.from + 1 }, (_, k) => `${r.producer}.${r.from + k}`),
  );
  assert.equal(got.length, expected.size, "no message twice");
  assert.deepEqual(new Set(got), expected);
  assert.deepEqual([...new Set(ranges.map((r) => r.producer))].sort(), [2, 3, 4], "slice 2/2 of 5 producers");
  assert.equal(ranges.length, 3, "one contiguous range per producer");
  assert.equal(ranges.find((r) => r.producer === 2)?.from, 41);
});

test("nothing unseen when everything was invoked", () => {
  const slice = { index: 0, count: 1 };
  const last = new Map<number, number>();
  const s = new SlicedSchedule(w, 3, slice);
  for (let m = s.next(); m !== undefined; m = s.next()) last.set(m.producer, m.seq);
  assert.deepEqual(unseenSends(w, 3, slice, last), []);
});
