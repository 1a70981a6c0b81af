/** The raw producer's schedule: record g is due at t0 + g/rate, not one interval later. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dueCount } from "../../../bench/log-e2e/schedule.ts";

test("record 0 is due at t0, record g at g intervals", () => {
  const ns = 1e9 / 10; // 10 records/s
  assert.equal(dueCount(-1, ns, 100), 0);
  assert.equal(dueCount(0, ns, 100), 1);
  assert.equal(dueCount(ns - 1, ns, 100), 1);
  assert.equal(dueCount(ns, ns, 100), 2);
  assert.equal(dueCount(5.5 * ns, ns, 100), 6);
});

test("never more than the schedule's total", () => {
  assert.equal(dueCount(1e12, 1000, 50), 50);
});
