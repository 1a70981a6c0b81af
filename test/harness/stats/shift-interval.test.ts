import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mosesRank, shiftInterval } from "../../../harness/stats/shift-interval.ts";

describe("Hodges–Lehmann shift and Moses interval", () => {
  test("5 vs 5 separated by 5: estimate 5, 95% interval [2, 8] at 96.8% achieved", () => {
    // The 25 differences are 1..9 with counts 1,2,3,4,5,4,3,2,1; k = 3 (2·P(U ≤ 2) = 8/252 ≤ 0.05),
    // so the interval is the 3rd and 23rd: what R's wilcox.test(6:10, 1:5, conf.int = TRUE) prints.
    const r = shiftInterval([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    assert.equal(r.estimate, 5);
    assert.equal(r.low, 2);
    assert.equal(r.high, 8);
    assert.ok(Math.abs((r.confidence as number) - (1 - 8 / 252)) < 1e-12);
  });

  test("too few repeats for 95%: no interval", () => {
    assert.equal(mosesRank(3, 3, 0.95, true), null);
    const r = shiftInterval([1, 2, 3], [4, 5, 6]);
    assert.equal(r.estimate, 3);
    assert.equal(r.low, null);
    // 80% is reachable with 3 vs 3: 2·P(U ≤ 0) = 0.1 ≤ 0.2.
    const r80 = shiftInterval([1, 2, 3], [4, 5, 6], 0.8);
    assert.equal(r80.low, 1);
    assert.equal(r80.high, 5);
  });

  test("a zero shift sits inside the interval", () => {
    const r = shiftInterval([10, 11, 12, 13, 14], [10.5, 11.5, 12.5, 13.5, 9.5]);
    assert.ok((r.low as number) <= 0 && (r.high as number) >= 0);
  });

  test("ties or large samples: the normal-approximation rank", () => {
    // mn/2 − 1.96·sqrt(mn(m+n+1)/12) for 20 vs 20 = 200 − 1.96·36.97 = 127.5 → k = 127.
    assert.equal(mosesRank(20, 20, 0.95, false)?.k, 127);
  });
});
