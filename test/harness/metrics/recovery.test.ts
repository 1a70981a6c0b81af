import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type AckTimeline,
  BIN_US,
  longestGap,
  meanRate,
  recoveredAt,
} from "../../../harness/metrics/recovery.ts";

/** A timeline from per-bin ack counts; ack times are one per non-empty bin, at its middle. */
function timeline(bins: number[]): AckTimeline {
  const times: number[] = [];
  bins.forEach((n, i) => {
    if (n > 0) times.push(i * BIN_US + BIN_US / 2);
  });
  return { bins: Float64Array.from(bins), ackTimesUs: Float64Array.from(times) };
}

const flat = (n: number, value: number) => Array.from({ length: n }, () => value);

describe("meanRate", () => {
  test("acks per second over whole bins", () => {
    const tl = timeline([10, 20, 30, 40]);
    assert.equal(BIN_US, 100_000);
    assert.equal(meanRate(tl, 0, 400_000), 250);
    assert.equal(meanRate(tl, 100_000, 300_000), 250);
    assert.equal(meanRate(tl, 0, 100_000), 100);
    assert.equal(meanRate(tl, 300_000, 400_000), 400);
  });

  test("clamps to the timeline and is 0 for an empty window", () => {
    const tl = timeline([10, 20, 30, 40]);
    assert.equal(meanRate(tl, -500_000, 10_000_000), 250);
    assert.equal(meanRate(tl, 200_000, 200_000), 0);
    assert.equal(meanRate(tl, 300_000, 100_000), 0);
    assert.equal(meanRate(tl, 0, 99_999), 0);
  });
});

describe("recoveredAt", () => {
  test("a dip then recovery: the first bin from which every 1 s window holds 90% for 3 s", () => {
    // 100 acks/s (10 per bin) for 3 s, nothing for 1 s, half rate for 1 s, then full for 5 s.
    const tl = timeline([...flat(30, 10), ...flat(10, 0), ...flat(10, 5), ...flat(50, 10)]);
    assert.equal(meanRate(tl, 0, 3_000_000), 100);
    // Window sums from bin b: 5·(50 − b) + 10·(b − 40) ≥ 90 first holds at b = 48.
    assert.equal(recoveredAt(tl, 4_000_000, 100, 10_000_000), 4_800_000);
    // Healing later starts the search later, at the first whole bin after the heal.
    assert.equal(recoveredAt(tl, 4_950_001, 100, 10_000_000), 5_000_000);
  });

  test("exactly 90% of the baseline counts as recovered", () => {
    const tl = timeline([...flat(10, 0), ...flat(40, 9)]);
    assert.equal(recoveredAt(tl, 1_000_000, 100, 5_000_000), 1_000_000);
    assert.equal(recoveredAt(tl, 1_000_000, 100.1, 5_000_000), undefined);
  });

  test("needs a full 3 s of recovered windows before the end", () => {
    const tl = timeline([...flat(10, 0), ...flat(40, 10)]);
    assert.equal(recoveredAt(tl, 1_000_000, 100, 4_000_000), 1_000_000);
    assert.equal(recoveredAt(tl, 1_000_000, 100, 3_900_000), undefined);
  });

  test("a short relapse inside the 3 s pushes recovery past it", () => {
    const tl = timeline([...flat(10, 0), ...flat(10, 10), ...flat(3, 0), ...flat(50, 10)]);
    // Empty bins 20-22: the 1 s windows starting at bins 12..21 hold two or three of them (≤ 80 < 90),
    // so no start before bin 22 has 3 clean seconds; the windows at 11 and 22 hold 90 and pass.
    assert.equal(recoveredAt(tl, 1_000_000, 100, 7_300_000), 2_200_000);
    assert.equal(recoveredAt(tl, 1_000_000, 100, 5_100_000), undefined, "3 s after bin 22 is 5.2 s");
  });

  test("never recovering is undefined", () => {
    const tl = timeline([...flat(30, 10), ...flat(70, 5)]);
    assert.equal(recoveredAt(tl, 3_000_000, 100, 10_000_000), undefined);
  });

  test("a zero baseline gives no recovery time (not 'recovered at the heal')", () => {
    const tl = timeline(flat(50, 0));
    assert.equal(recoveredAt(tl, 1_234_567, 0, 5_000_000), undefined);
  });
});

describe("longestGap", () => {
  const tl: AckTimeline = {
    bins: new Float64Array(0),
    ackTimesUs: Float64Array.from([100, 200, 1_000, 1_100, 5_000]),
  };

  test("the longest stretch between acks inside the window", () => {
    assert.equal(longestGap(tl, 0, 6_000), 3_900);
    assert.equal(longestGap(tl, 100, 1_100), 800);
  });

  test("counts the window's edges", () => {
    assert.equal(longestGap(tl, 0, 1_100), 800);
    assert.equal(longestGap(tl, 1_100, 20_000), 15_000, "from the last ack to the end");
    assert.equal(longestGap(tl, 5_500, 6_000), 500, "no ack at all: the whole window");
    assert.equal(longestGap(tl, 300, 900), 600);
  });
});
