import assert from "node:assert/strict";
import { test } from "node:test";
import { checkReplicaDivergence } from "../../../harness/checkers/replica-divergence.ts";

const b = (baseOffset: number, lastOffset: number, epoch = 0, crc = baseOffset * 7) => ({
  baseOffset,
  lastOffset,
  epoch,
  crc,
});

test("identical replicas below the HW pass; differences at or above it do not matter", () => {
  const r = checkReplicaDivergence("t-0", 20, [
    { broker: "broker-1", batches: [b(0, 9), b(10, 19), b(20, 29)] },
    { broker: "broker-2", batches: [b(0, 9), b(10, 19)] },
    { broker: "broker-3", batches: [b(0, 9), b(10, 19), b(20, 24, 1, 99)] },
  ]);
  assert.equal(r.ok, true);
});

test("a replica missing a committed batch, or holding another one at the same offset, fails", () => {
  const missing = checkReplicaDivergence("t-0", 20, [
    { broker: "broker-1", batches: [b(0, 9), b(10, 19)] },
    { broker: "broker-2", batches: [b(0, 9)] },
  ]);
  assert.equal(missing.ok, false);
  assert.match((missing as { problems: string[] }).problems[0]!, /broker-2 lacks the batch at offset 10/);
  const diverged = checkReplicaDivergence("t-0", 20, [
    { broker: "broker-1", batches: [b(0, 9), b(10, 19, 1)] },
    { broker: "broker-2", batches: [b(0, 9), b(10, 19, 2)] },
  ]);
  assert.equal(diverged.ok, false);
  assert.match((diverged as { problems: string[] }).problems[0]!, /differ at offset 10/);
});

test("batches below the latest log start offset are not compared (retention deleted them somewhere)", () => {
  const r = checkReplicaDivergence("t-0", 30, [
    { broker: "broker-1", logStartOffset: 20, batches: [b(20, 29), b(30, 39)] },
    { broker: "broker-2", logStartOffset: 10, batches: [b(10, 19), b(20, 29)] },
  ]);
  assert.equal(r.ok, true);
  // From the common start on, a difference still fails.
  const diverged = checkReplicaDivergence("t-0", 30, [
    { broker: "broker-1", logStartOffset: 20, batches: [b(20, 29, 1)] },
    { broker: "broker-2", logStartOffset: 10, batches: [b(10, 19), b(20, 29, 2)] },
  ]);
  assert.equal(diverged.ok, false);
  assert.match((diverged as { problems: string[] }).problems[0]!, /differ at offset 20/);
});
