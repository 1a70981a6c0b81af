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

test("compacted topics: replicas cleaned differently agree by each key's last value below the HW", () => {
  const rec = (o: number, k: string, v: string | null) => ({ o, k: Buffer.from(k).toString("base64"), v });
  // broker-1 has not cleaned yet; broker-2 removed the superseded batch at 0 and filtered the one
  // at 2 (new CRC); broker-3 also dropped the expired tombstone of b. Above the HW (6) anything goes.
  const full = {
    broker: "broker-1",
    batches: [b(0, 1), b(2, 3), b(4, 5), b(6, 6)],
    records: [
      rec(0, "a", "1"),
      rec(1, "b", "1"),
      rec(2, "a", "2"),
      rec(3, "c", "1"),
      rec(4, "b", null),
      rec(5, "a", "3"),
      rec(6, "x", "9"),
    ],
  };
  const cleaned = {
    broker: "broker-2",
    batches: [b(2, 3, 0, 1234), b(4, 5)],
    records: [rec(3, "c", "1"), rec(4, "b", null), rec(5, "a", "3")],
  };
  const noTombstone = {
    broker: "broker-3",
    batches: [b(2, 3, 0, 1234), b(4, 5, 0, 777)],
    records: [rec(3, "c", "1"), rec(5, "a", "3")],
  };
  const ok = checkReplicaDivergence("t-0", 6, [full, cleaned, noTombstone], { compacted: true });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  // The batch check alone would call this divergence (the reason for the compacted mode).
  assert.equal(checkReplicaDivergence("t-0", 6, [full, cleaned]).ok, false);
  // A replica that lost the last value of a key, or holds another leader's batch at an offset, fails.
  const lost = { ...cleaned, broker: "broker-4", records: [rec(3, "c", "1"), rec(4, "b", null)] };
  const bad = checkReplicaDivergence("t-0", 6, [full, lost], { compacted: true });
  assert.equal(bad.ok, false);
  assert.match(
    (bad as { problems: string[] }).problems[0]!,
    /disagree on the last value of 1 key\(s\).*key a: \w+ vs none/,
  );
  const otherEpoch = { ...cleaned, broker: "broker-5", batches: [b(2, 3, 1, 1234), b(4, 5)] };
  const epochs = checkReplicaDivergence("t-0", 6, [full, otherEpoch], { compacted: true });
  assert.equal(epochs.ok, false);
  assert.match((epochs as { problems: string[] }).problems[0]!, /differ at offset 2/);
});
