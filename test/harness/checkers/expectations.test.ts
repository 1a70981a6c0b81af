import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkExpectations, mergeValidity } from "../../../harness/checkers/expectations.ts";
import type { Check } from "../../../harness/results/types.ts";
import { type Expectation, parseExpectation } from "../../../harness/scenario/expectation.ts";

function ex(path: string, raw: string | number): Expectation {
  const e = parseExpectation(path, raw);
  if (typeof e === "string") throw new Error(e);
  return e;
}

const results = {
  throughput: { ackedPerSec: 1950.123456 },
  latency: { endToEnd: { p99: 150, corrected: { p99: 250 } } },
  delivery: { lost: 0, duplicated: 2, unexpected: 0 },
  faults: [
    { name: "kill-a1", startMs: 4000, endMs: 6000, unavailableMs: 1800, recoveryMs: null },
    { name: "stall", startMs: 1000, endMs: 2000, unavailableMs: 900, recoveryMs: 300 },
  ],
};

describe("checkExpectations", () => {
  test("one check per expectation, named after it, with the measured value", () => {
    const checks = checkExpectations(results, [
      ex("delivery.lost", 0),
      ex("throughput.ackedPerSec", ">= 1900/s"),
      ex("latency.endToEnd.p99", "< 0.2s"),
    ]);
    assert.deepEqual(checks, [
      { name: "expect delivery.lost == 0", valid: true, detail: "delivery.lost = 0 (expected 0)" },
      {
        name: "expect throughput.ackedPerSec >= 1900",
        valid: true,
        detail: "throughput.ackedPerSec = 1950.123 (expected >= 1900/s)",
      },
      {
        name: "expect latency.endToEnd.p99 < 200",
        valid: true,
        detail: "latency.endToEnd.p99 = 150 (expected < 0.2s)",
      },
    ]);
  });

  test("a violated expectation is false", () => {
    const checks = checkExpectations(results, [
      ex("delivery.duplicated", 0),
      ex("latency.endToEnd.corrected.p99", "< 200ms"),
      ex("faults.stall.recoveryMs", "< 100ms"),
    ]);
    assert.deepEqual(
      checks.map((c) => c.valid),
      [false, false, false],
    );
    assert.equal(checks[2]?.detail, "faults.stall.recoveryMs = 300 (expected < 100ms)");
  });

  test("a fault that never recovered fails a `<` bound and is unknown otherwise", () => {
    const checks = checkExpectations(results, [
      ex("faults.kill-a1.recoveryMs", "< 5s"),
      ex("faults.kill-a1.recoveryMs", "<= 5s"),
      ex("faults.kill-a1.recoveryMs", "> 0"),
      ex("faults.kill-a1.recoveryMs", 0),
    ]);
    assert.deepEqual(
      checks.map((c) => c.valid),
      [false, false, "unknown", "unknown"],
    );
    assert.equal(
      checks[0]?.detail,
      "faults.kill-a1.recoveryMs has no value (nothing measured, or never reached)",
    );
  });

  test("a path missing from the results is unknown", () => {
    const checks = checkExpectations(results, [
      ex("delivery.recovered", 0),
      ex("faults.other.startMs", "> 0"),
    ]);
    assert.deepEqual(checks, [
      {
        name: "expect delivery.recovered == 0",
        valid: "unknown",
        detail: "delivery.recovered is not in the results",
      },
      {
        name: "expect faults.other.startMs > 0",
        valid: "unknown",
        detail: "faults.other.startMs is not in the results",
      },
    ]);
  });

  test("no expectations, no checks", () => {
    assert.deepEqual(checkExpectations(results, []), []);
  });
});

describe("mergeValidity", () => {
  const c = (valid: Check["valid"]): Check => ({ name: "x", valid, detail: "" });

  test("false beats unknown beats true", () => {
    assert.equal(mergeValidity([]), true);
    assert.equal(mergeValidity([c(true), c(true)]), true);
    assert.equal(mergeValidity([c(true), c("unknown")]), "unknown");
    assert.equal(mergeValidity([c("unknown"), c(false), c(true)]), false);
    assert.equal(mergeValidity([c(true), c(false)]), false);
  });
});

test("a latency bound on an empty histogram fails instead of reading 0 ms", () => {
  const results = {
    latency: { endToEnd: { count: 0, p99: 0, corrected: { count: 0, p99: 0 } } },
  };
  const [c, d] = checkExpectations(results, [
    { path: "latency.endToEnd.corrected.p99", op: "<", value: 250, source: "< 250ms" },
    { path: "latency.endToEnd.count", op: "==", value: 0, source: "0" },
  ]);
  assert.equal(c?.valid, false);
  assert.equal(d?.valid, true, "the count itself is a real number");
});
