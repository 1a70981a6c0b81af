import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatDuration, parseDuration, parseRate } from "../../../harness/scenario/units.ts";

describe("parseDuration", () => {
  test("reads every unit in milliseconds", () => {
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("10s"), 10_000);
    assert.equal(parseDuration("2m"), 120_000);
    assert.equal(parseDuration("1h"), 3_600_000);
    assert.equal(parseDuration("1.5s"), 1500);
    assert.equal(parseDuration("250us"), 0.25);
    assert.equal(parseDuration("250µs"), 0.25);
    assert.equal(parseDuration("0ms"), 0);
  });

  test("allows spaces around the number and unit", () => {
    assert.equal(parseDuration(" 10 s "), 10_000);
  });

  test("rejects anything that is not a number with a unit", () => {
    for (const bad of ["10", "s", "", "-1s", "1.5.s", "10sec", "1,5s", "10 seconds", "1e3ms", ".5s", "5d"]) {
      assert.equal(parseDuration(bad), undefined, JSON.stringify(bad));
    }
  });

  test("rejects non-strings, numbers included", () => {
    assert.equal(parseDuration(500), undefined);
    assert.equal(parseDuration(undefined), undefined);
    assert.equal(parseDuration(null), undefined);
    assert.equal(parseDuration({ ms: 5 }), undefined);
  });
});

describe("parseRate", () => {
  test("reads per-second and per-minute rates in messages per second", () => {
    assert.equal(parseRate("5000/s"), 5000);
    assert.equal(parseRate("300/m"), 5);
    assert.equal(parseRate("0.5/s"), 0.5);
    assert.equal(parseRate(" 100 / s "), 100);
    assert.equal(parseRate("0/s"), 0);
  });

  test("takes plain non-negative finite numbers as they are", () => {
    assert.equal(parseRate(250), 250);
    assert.equal(parseRate(0), 0);
    assert.equal(parseRate(12.5), 12.5);
  });

  test("rejects negative or non-finite numbers and malformed strings", () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(parseRate(bad), undefined);
    for (const bad of ["5000", "5000/h", "/s", "-5/s", "5000 per s", "fast", "", "5k/s"]) {
      assert.equal(parseRate(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(parseRate(undefined), undefined);
    assert.equal(parseRate(true), undefined);
  });
});

describe("formatDuration", () => {
  test("writes durations the way a person reads them", () => {
    assert.equal(formatDuration(1500), "1.5s");
    assert.equal(formatDuration(10_000), "10s");
    assert.equal(formatDuration(120_000), "2m");
    assert.equal(formatDuration(90_000), "90s");
    assert.equal(formatDuration(500), "500ms");
    assert.equal(formatDuration(1050), "1050ms");
    assert.equal(formatDuration(0), "0ms");
    assert.equal(formatDuration(0.25), "0.25ms");
  });

  test("round-trips through parseDuration", () => {
    for (const ms of [
      0, 0.5, 1, 250, 999, 1000, 1050, 1500, 2500, 59_900, 60_000, 90_000, 120_000, 3_600_000,
    ]) {
      assert.equal(parseDuration(formatDuration(ms)), ms, `${ms} -> ${formatDuration(ms)}`);
    }
  });
});
