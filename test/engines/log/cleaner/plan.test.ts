import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cleanableCount,
  dirtyRatio,
  firstCleanedAt,
  groupSegments,
  type PlanBatch,
  planCleaning,
  recordCleaning,
  shouldClean,
  tombstoneExpired,
} from "../../../../engines/log/cleaner/plan.ts";

/** A batch of records given as [key, value-or-null] from `base` on (offsets base, base+1, ...). */
const batch = (
  base: number,
  records: Array<[string | null, string | null]>,
  extra: Partial<PlanBatch> = {},
) => ({
  baseOffset: base,
  lastOffset: base + records.length - 1,
  records: records.map(([key, v], i) => ({ offset: base + i, key, tombstone: v === null })),
  ...extra,
});

const never = () => false;

test("the last record of each key wins across the whole range; offsets are kept, never renumbered", () => {
  const batches = [
    batch(0, [
      ["a", "1"],
      ["b", "1"],
    ]),
    batch(2, [["a", "2"]]),
    batch(3, [
      ["c", "1"],
      ["b", "2"],
      ["a", "3"],
    ]),
  ];
  const fates = planCleaning(batches, never);
  assert.deepEqual(fates, [{ kind: "drop" }, { kind: "drop" }, { kind: "keep" }]);
  const mixed = planCleaning(
    [
      batch(0, [
        ["a", "1"],
        ["b", "1"],
      ]),
      batch(2, [["a", "2"]]),
    ],
    never,
  );
  // The batch at 0 keeps only b (its record index 1, offset 1): the filter names records, and
  // the offsets they carry are their own.
  assert.deepEqual(mixed, [{ kind: "filter", keep: [1] }, { kind: "keep" }]);
});

test("tombstones are kept until delete.retention.ms after the cleaning that first passed them", () => {
  const batches = [batch(0, [["a", "1"]]), batch(1, [["a", null]]), batch(2, [["b", "1"]])];
  // First cleaning at t=1000 over [0, 3): the tombstone at 1 is the last record of a, so it stays.
  let history = recordCleaning([], 3, 1000, 500);
  assert.deepEqual(history, [{ end: 3, at: 1000 }]);
  const expiredAt = (now: number) => (o: number) => tombstoneExpired(history, o, now, 500);
  assert.deepEqual(planCleaning(batches, expiredAt(1000)), [
    { kind: "drop" },
    { kind: "keep" },
    { kind: "keep" },
  ]);
  // Still there at 1499, gone from 1500 on.
  assert.equal(planCleaning(batches, expiredAt(1499))[1]!.kind, "keep");
  assert.equal(planCleaning(batches, expiredAt(1500))[1]!.kind, "drop");
  // A tombstone first cleaned later keeps its own clock: [3, 5) cleaned at 1400.
  history = recordCleaning(history, 5, 1400, 500);
  assert.equal(firstCleanedAt(history, 2), 1000);
  assert.equal(firstCleanedAt(history, 4), 1400);
  assert.equal(firstCleanedAt(history, 5), undefined);
  assert.equal(tombstoneExpired(history, 4, 1600, 500), false);
  assert.equal(tombstoneExpired(history, 2, 1600, 500), true);
  // Never cleaned: never expired, however old.
  assert.equal(tombstoneExpired(history, 7, 1e12, 500), false);
  // Expired ranges merge, so the list stays short.
  assert.deepEqual(recordCleaning(history, 9, 5000, 500), [
    { end: 5, at: 1400 },
    { end: 9, at: 5000 },
  ]);
});

test("records without a key do not survive; unreadable and producers' last batches stay whole", () => {
  assert.deepEqual(
    planCleaning(
      [
        batch(0, [
          [null, "x"],
          ["a", "1"],
        ]),
      ],
      never,
    ),
    [{ kind: "filter", keep: [1] }],
  );
  const opaque: PlanBatch = { baseOffset: 1, lastOffset: 4, records: undefined };
  const superseded = batch(5, [["a", "old"]], { keepWhole: true });
  const fates = planCleaning(
    [batch(0, [["a", null]]), opaque, superseded, batch(6, [["a", "new"]])],
    () => true,
  );
  // The opaque batch may hold a key the tombstone removed: with it present no tombstone is
  // dropped (here the tombstone is superseded anyway); the producer's last batch is kept whole.
  assert.deepEqual(fates, [{ kind: "drop" }, { kind: "keep" }, { kind: "keep" }, { kind: "keep" }]);
  const kept = planCleaning([batch(0, [["t", null]]), opaque], () => true);
  assert.deepEqual(kept, [{ kind: "keep" }, { kind: "keep" }]);
});

test("only closed segments wholly below the HW are cleanable: never the active one", () => {
  const segs = [
    { baseOffset: 0, nextOffset: 10, size: 100 },
    { baseOffset: 10, nextOffset: 20, size: 100 },
    { baseOffset: 20, nextOffset: 25, size: 50 },
  ];
  assert.equal(cleanableCount(segs, 25), 2);
  assert.equal(cleanableCount(segs, 19), 1);
  assert.equal(cleanableCount(segs.slice(0, 1), 10), 0);
  assert.equal(dirtyRatio(segs.slice(0, 2), 10), 0.5);
  assert.equal(shouldClean(segs.slice(0, 2), 10, 0.5, undefined, 0), true);
  assert.equal(shouldClean(segs.slice(0, 2), 10, 0.6, undefined, 0), false);
  assert.equal(shouldClean(segs.slice(0, 2), 20, 0, undefined, 0), false);
  // Nothing dirty, but a kept tombstone is due.
  assert.equal(shouldClean(segs.slice(0, 2), 20, 0.5, 100, 100), true);
  assert.deepEqual(groupSegments(segs, 200), [
    [0, 2],
    [2, 3],
  ]);
  assert.deepEqual(groupSegments(segs, 99), [
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
});
