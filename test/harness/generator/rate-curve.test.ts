import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rateCurve } from "../../../harness/generator/rate-curve.ts";

const close = (actual: number, expected: number, what = "") =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what} ${actual} != ${expected}`);

describe("constant rate", () => {
  test("a plain number and {constant} give the same straight line", () => {
    for (const spec of [1000, { kind: "constant" as const, rate: 1000 }]) {
      const c = rateCurve(spec, 2000);
      assert.equal(c.rateAt(0), 1000);
      assert.equal(c.rateAt(1.999), 1000);
      assert.equal(c.rateAt(2), 0, "nothing is offered after the load");
      assert.equal(c.cumulative(0), 0);
      assert.equal(c.cumulative(0.5), 500);
      assert.equal(c.cumulative(2), 2000);
      assert.equal(c.cumulative(10), 2000, "the count stops at the end of the load");
      assert.equal(c.inverse(0), 0);
      assert.equal(c.inverse(1), 0.001);
      assert.equal(c.inverse(500), 0.5);
      assert.equal(c.inverse(2000), 2);
      assert.equal(c.inverse(2001), Number.POSITIVE_INFINITY);
    }
  });

  test("a zero rate never offers anything", () => {
    const c = rateCurve(0, 1000);
    assert.equal(c.cumulative(1), 0);
    assert.equal(c.inverse(0), Number.POSITIVE_INFINITY);
    assert.equal(c.inverse(1), Number.POSITIVE_INFINITY);
  });
});

describe("ramp", () => {
  test("from 0 rises linearly and integrates to a parabola", () => {
    const c = rateCurve({ kind: "ramp", from: 0, to: 1000 }, 2000);
    assert.equal(c.rateAt(0), 0);
    assert.equal(c.rateAt(1), 500);
    assert.equal(c.rateAt(1.5), 750);
    assert.equal(c.cumulative(1), 250);
    assert.equal(c.cumulative(2), 1000);
    assert.equal(c.inverse(250), 1);
    assert.equal(c.inverse(1000), 2);
    close(c.inverse(c.cumulative(0.3)), 0.3, "inverse of cumulative");
    assert.equal(c.inverse(1001), Number.POSITIVE_INFINITY);
  });

  test("between two non-zero rates, up and down", () => {
    const up = rateCurve({ kind: "ramp", from: 100, to: 300 }, 2000);
    assert.equal(up.rateAt(1), 200);
    assert.equal(up.cumulative(1), 150);
    assert.equal(up.cumulative(2), 400);
    assert.equal(up.inverse(150), 1);
    const down = rateCurve({ kind: "ramp", from: 300, to: 100 }, 2000);
    assert.equal(down.rateAt(1), 200);
    assert.equal(down.cumulative(1), 250);
    assert.equal(down.cumulative(2), 400);
    assert.equal(down.inverse(250), 1);
    for (const n of [1, 37, 199.5, 333, 399]) close(down.cumulative(down.inverse(n)), n, `down n=${n}`);
  });

  test("a flat ramp is a constant rate", () => {
    const c = rateCurve({ kind: "ramp", from: 200, to: 200 }, 1000);
    assert.equal(c.cumulative(0.5), 100);
    assert.equal(c.inverse(100), 0.5);
  });
});

describe("steps", () => {
  const spec = {
    kind: "steps" as const,
    steps: [
      { rate: 100, forMs: 1000 },
      { rate: 0, forMs: 1000 },
      { rate: 200, forMs: 1000 },
    ],
  };

  test("rate follows the steps and the last step holds until the load ends", () => {
    const c = rateCurve(spec, 4000);
    assert.equal(c.rateAt(0.5), 100);
    assert.equal(c.rateAt(1.5), 0);
    assert.equal(c.rateAt(2.5), 200);
    assert.equal(c.rateAt(3.5), 200, "the last step is extended to the load length");
    assert.equal(c.rateAt(4), 0);
  });

  test("cumulative is flat across the 0/s step", () => {
    const c = rateCurve(spec, 4000);
    assert.equal(c.cumulative(0.5), 50);
    assert.equal(c.cumulative(1), 100);
    assert.equal(c.cumulative(1.5), 100);
    assert.equal(c.cumulative(2), 100);
    assert.equal(c.cumulative(2.5), 200);
    assert.equal(c.cumulative(3), 300);
    assert.equal(c.cumulative(4), 500);
  });

  test("inverse skips the 0/s step", () => {
    const c = rateCurve(spec, 4000);
    assert.equal(c.inverse(50), 0.5);
    assert.equal(c.inverse(101), 2.005);
    assert.equal(c.inverse(150), 2.25);
    assert.equal(c.inverse(300), 3);
    assert.equal(c.inverse(400), 3.5);
    assert.equal(c.inverse(500), 4);
    assert.equal(c.inverse(501), Number.POSITIVE_INFINITY);
  });

  test("a leading 0/s step delays the first message to when the rate turns on", () => {
    const c = rateCurve(
      {
        kind: "steps",
        steps: [
          { rate: 0, forMs: 1000 },
          { rate: 100, forMs: 1000 },
        ],
      },
      2000,
    );
    assert.equal(c.cumulative(1), 0);
    assert.equal(c.inverse(0), 1);
    assert.equal(c.inverse(50), 1.5);
  });
});
