import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bootstrapInterval } from "../../../harness/stats/bootstrap.ts";
import { lookbackZ } from "../../../harness/stats/change-point.ts";
import { normalCdf, normalQuantile } from "../../../harness/stats/normal.ts";
import { cv, median, quantile, summarize } from "../../../harness/stats/summary.ts";

describe("summary statistics", () => {
  test("median, quantiles, spread and CV", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
    assert.ok(Number.isNaN(median([])));
    const s = summarize([90, 100, 110]);
    assert.deepEqual([s.median, s.min, s.max, s.spread], [100, 90, 110, 0.2]);
    assert.equal(s.cv, 0.1);
    assert.equal(cv([0, 0, 0]), null);
  });

  test("the normal distribution", () => {
    assert.ok(Math.abs(normalCdf(1.96) - 0.9750021) < 1e-6);
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-5);
  });
});

describe("bootstrap over repeats", () => {
  const shiftOfMedians = (b: readonly number[], c: readonly number[]) => median(c) - median(b);

  test("seeded: the same seed gives the same interval, and it covers the true shift", () => {
    const base = [10, 11, 9, 10.5, 9.5, 10.2];
    const cand = base.map((x) => x + 5);
    const a = bootstrapInterval(base, cand, shiftOfMedians, { seed: 7 });
    const b = bootstrapInterval(base, cand, shiftOfMedians, { seed: 7 });
    assert.deepEqual(a, b);
    assert.ok(a && a.low <= 5 && a.high >= 5 && a.low > 3, JSON.stringify(a));
  });

  test("no spread, no width; one repeat, no interval", () => {
    assert.deepEqual(bootstrapInterval([1, 1, 1], [1, 1, 1], shiftOfMedians), { low: 0, high: 0 });
    assert.equal(bootstrapInterval([1], [2, 3], shiftOfMedians), null);
  });
});

describe("lookback z-score", () => {
  test("flags a jump after a steady history, not the steady points", () => {
    const pts = lookbackZ([10, 10.2, 9.9, 10.1, 10, 9.8, 10.1, 14]);
    assert.deepEqual(
      pts.map((p) => p.changed),
      [false, false, false, false, false, false, false, true],
    );
    assert.equal(pts[0]?.z, null);
    assert.ok((pts[7]?.z as number) > 5);
  });

  test("an outlier in the window does not mask a later change", () => {
    const pts = lookbackZ([10, 10.1, 9.9, 10, 500, 10.05, 9.95, 10, 10.1, 12], { threshold: 5 });
    assert.equal(pts[9]?.changed, true);
  });
});
