import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exactP, mannWhitney, ranks, smallestP, uDistribution } from "../../../harness/stats/mann-whitney.ts";
import { normalCdf } from "../../../harness/stats/normal.ts";

const close = (a: number, b: number, eps = 1e-4) => assert.ok(Math.abs(a - b) < eps, `${a} ≠ ${b}`);

describe("Mann–Whitney U", () => {
  test("the smallest p the exact test can give: 3 vs 3 can never reach 0.05, 4 vs 4 can", () => {
    close(smallestP(3, 3), 0.1);
    close(smallestP(4, 4), 2 / 70);
    close(smallestP(5, 5), 2 / 252);
    close(smallestP(2, 1), 2 / 3);
    assert.equal(smallestP(0, 5), 1);
    // It is what a completely separated sample actually gets.
    close(mannWhitney([1, 2, 3, 4], [5, 6, 7, 8]).p, smallestP(4, 4));
  });

  test("the null distribution of U counts every ordering once", () => {
    const d = uDistribution(5, 5);
    assert.equal(
      d.reduce((a, b) => a + b, 0),
      252,
    );
    // U = 0, 1, 2, 3 happen in 1, 1, 2, 3 of the 252 orderings (symmetric around 12.5).
    assert.deepEqual([...d.slice(0, 4)], [1, 1, 2, 3]);
    assert.deepEqual([...d.slice(22)], [3, 2, 1, 1]);
  });

  test("complete separation of 5 vs 5: U = 0, exact p = 2/252", () => {
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    assert.equal(r.u, 0);
    assert.equal(r.method, "exact");
    close(r.p, 2 / 252, 1e-12);
    // The other way round: U = 25, same p.
    const s = mannWhitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
    assert.equal(s.u, 25);
    close(s.p, 2 / 252, 1e-12);
  });

  // Critical values of U for a two-sided test at α = 0.05 from the published tables (e.g. Zar,
  // Biostatistical Analysis, table B.11): the largest U with p ≤ 0.05.
  for (const [n1, n2, critical] of [
    [4, 4, 0],
    [5, 5, 2],
    [6, 6, 5],
    [8, 8, 13],
    [10, 10, 23],
    [5, 10, 8],
    [3, 7, 1],
  ] as const) {
    test(`published critical U for n1=${n1}, n2=${n2} at α = 0.05 is ${critical}`, () => {
      assert.ok(exactP(critical, n1, n2) <= 0.05, `p(U=${critical}) = ${exactP(critical, n1, n2)}`);
      assert.ok(
        exactP(critical + 1, n1, n2) > 0.05,
        `p(U=${critical + 1}) = ${exactP(critical + 1, n1, n2)}`,
      );
    });
  }

  test("3 vs 3 can never be significant at 0.05: the smallest p is 0.1", () => {
    close(mannWhitney([1, 2, 3], [4, 5, 6]).p, 0.1, 1e-12);
  });

  test("midranks and the tie term", () => {
    const r = ranks([1, 2, 3, 3, 3, 4, 5, 6]);
    assert.deepEqual(r.ranks, [1, 2, 4, 4, 4, 6, 7, 8]);
    assert.equal(r.tieTerm, 24);
  });

  test("ties: normal approximation with tie-corrected variance and continuity correction", () => {
    // By hand: R1 = 11, U = 1, σ² = (16/12)(9 − 24/56), z = (1 − 8 + 0.5)/σ = −1.92272; p = 0.05452
    // (what R's wilcox.test(c(1,2,3,3), c(3,4,5,6), exact = FALSE) prints).
    const r = mannWhitney([1, 2, 3, 3], [3, 4, 5, 6]);
    assert.equal(r.method, "normal");
    assert.equal(r.u, 1);
    close(r.p, 0.05452, 2e-5);
  });

  test("large samples use the normal approximation and agree with the exact test", () => {
    const x = Array.from({ length: 60 }, (_, i) => i);
    const y = Array.from({ length: 60 }, (_, i) => i + 15.5);
    const r = mannWhitney(x, y);
    assert.equal(r.method, "normal");
    assert.ok(r.p < 0.001);
    // Where both apply (20 vs 20, no ties) the approximation is within a few percent of exact.
    const a = Array.from({ length: 20 }, (_, i) => i);
    const b = Array.from({ length: 20 }, (_, i) => i + 6.5);
    const exact = mannWhitney(a, b);
    assert.equal(exact.method, "exact");
    const z = (exact.u - 200 + 0.5) / Math.sqrt((400 * 41) / 12);
    assert.ok(Math.abs(exact.p - 2 * normalCdf(z)) < 0.01, `${exact.p} vs ${2 * normalCdf(z)}`);
  });

  test("identical samples: p = 1", () => {
    assert.equal(mannWhitney([5, 5, 5], [5, 5, 5]).p, 1);
  });
});
