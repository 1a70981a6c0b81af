import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkPath,
  compare,
  expectablePaths,
  parseExpectation,
  readPath,
} from "../../../harness/scenario/expectation.ts";

describe("parseExpectation", () => {
  test("a plain number means equality", () => {
    assert.deepEqual(parseExpectation("delivery.lost", 0), {
      path: "delivery.lost",
      op: "==",
      value: 0,
      source: "0",
    });
  });

  test("reads comparisons with plain numbers, durations and rates", () => {
    assert.deepEqual(parseExpectation("delivery.lost", "> 0"), {
      path: "delivery.lost",
      op: ">",
      value: 0,
      source: "> 0",
    });
    assert.deepEqual(parseExpectation("latency.endToEnd.p99", "< 200ms"), {
      path: "latency.endToEnd.p99",
      op: "<",
      value: 200,
      source: "< 200ms",
    });
    assert.deepEqual(parseExpectation("throughput.ackedPerSec", ">= 1900/s"), {
      path: "throughput.ackedPerSec",
      op: ">=",
      value: 1900,
      source: ">= 1900/s",
    });
  });

  test("every comparator, `=` as `==`, and units converted to ms and messages/s", () => {
    const cases: [string, string, number][] = [
      ["== 5", "==", 5],
      ["= 5", "==", 5],
      ["5", "==", 5],
      ["!= 3", "!=", 3],
      ["<= 2s", "<=", 2000],
      ["< 0.2s", "<", 200],
      ["> 300/m", ">", 5],
      [">=1.5", ">=", 1.5],
      ["< 5%", "<", 5],
      ["> -1", ">", -1],
    ];
    for (const [raw, op, value] of cases) {
      const e = parseExpectation("delivery.lost", raw);
      assert.ok(typeof e !== "string", `${raw}: ${e}`);
      assert.equal(e.op, op, raw);
      assert.equal(e.value, value, raw);
      assert.equal(e.source, raw);
    }
  });

  test("bad values return a message instead of an expectation", () => {
    for (const raw of ["> fast", "", "<", "< 200 parsecs", "=> 5", "1e3"]) {
      const e = parseExpectation("delivery.lost", raw);
      assert.equal(typeof e, "string", JSON.stringify(raw));
    }
    assert.match(parseExpectation("delivery.lost", "> fast") as string, /cannot read the value "fast"/);
    assert.match(parseExpectation("delivery.lost", true) as string, /must be a number or a comparison/);
    assert.match(parseExpectation("delivery.lost", null) as string, /must be a number or a comparison/);
  });
});

describe("compare", () => {
  test("each comparator on both sides of the bound", () => {
    assert.equal(compare(1, "==", 1), true);
    assert.equal(compare(1, "==", 2), false);
    assert.equal(compare(1, "!=", 2), true);
    assert.equal(compare(2, "!=", 2), false);
    assert.equal(compare(1, "<", 2), true);
    assert.equal(compare(2, "<", 2), false);
    assert.equal(compare(2, "<=", 2), true);
    assert.equal(compare(3, "<=", 2), false);
    assert.equal(compare(3, ">", 2), true);
    assert.equal(compare(2, ">", 2), false);
    assert.equal(compare(2, ">=", 2), true);
    assert.equal(compare(1, ">=", 2), false);
  });
});

describe("checkPath", () => {
  test("accepts every documented results path", () => {
    for (const p of [
      "delivery.lost",
      "delivery.unexpected",
      "delivery.failedButDelivered",
      "throughput.ackedPerSec",
      "latency.endToEnd.p99",
      "latency.publish.corrected.p999",
      "latency.endToEnd.corrected.max",
    ]) {
      assert.equal(checkPath(p, []), undefined, p);
    }
    assert.ok(expectablePaths.includes("latency.publish.count"));
    assert.ok(!expectablePaths.includes("latency.p99"));
  });

  test("an unknown path is named with the allowed paths under the same prefix", () => {
    const msg = checkPath("delivery.lots", []);
    assert.ok(msg);
    assert.match(msg, /unknown results path "delivery\.lots"/);
    assert.match(msg, /delivery\.lost/);
    assert.doesNotMatch(msg, /throughput/);
  });

  test("an unknown prefix lists the uncorrected paths and the fault form", () => {
    const msg = checkPath("speed.max", []);
    assert.ok(msg);
    assert.match(msg, /unknown results path "speed\.max"/);
    assert.match(msg, /throughput\.ackedPerSec/);
    assert.doesNotMatch(msg, /corrected/);
    assert.match(msg, /faults\.<name>\.<field>/);
  });

  test("faults.<name>.<field> needs a declared fault and a known field", () => {
    assert.equal(checkPath("faults.kill-a1.recoveryMs", ["kill-a1"]), undefined);
    assert.equal(checkPath("faults.kill-a1@1.5s.unavailableMs", ["kill-a1@1.5s"]), undefined);
    for (const f of ["startMs", "endMs", "unavailableMs", "recoveryMs"]) {
      assert.equal(checkPath(`faults.x.${f}`, ["x"]), undefined, f);
    }
    assert.equal(
      checkPath("faults.nope.recoveryMs", ["kill-a1", "stall-a2"]),
      'no fault named "nope"; faults here: kill-a1, stall-a2',
    );
    assert.equal(checkPath("faults.nope.recoveryMs", []), 'no fault named "nope"; faults here: (none)');
    const bad = checkPath("faults.kill-a1.healMs", ["kill-a1"]);
    assert.equal(
      bad,
      'unknown fault field "healMs"; allowed: startMs, endMs, unavailableMs, recoveryMs, detectMs, ackRecoveryMs, deliveryRecoveryMs, backlogDrainedMs, maxAckGapMs, restartMs, moveMs, lost',
    );
  });

  test("a bare faults path is unknown and points at the fault form", () => {
    const msg = checkPath("faults.kill-a1", ["kill-a1"]);
    assert.ok(msg);
    assert.match(msg, /faults\.<name>\.<field>/);
  });
});

describe("readPath", () => {
  const results = {
    delivery: { lost: 3, unexpected: 0 },
    latency: { endToEnd: { p99: 12.5, corrected: { p99: 40 } } },
    faults: [
      { name: "kill-a1", startMs: 4000, recoveryMs: null },
      { name: "stall.a2", startMs: 6000, recoveryMs: 250 },
    ],
    description: "text",
  };

  test("walks dotted paths to numbers", () => {
    assert.equal(readPath(results, "delivery.lost"), 3);
    assert.equal(readPath(results, "delivery.unexpected"), 0);
    assert.equal(readPath(results, "latency.endToEnd.p99"), 12.5);
    assert.equal(readPath(results, "latency.endToEnd.corrected.p99"), 40);
  });

  test("resolves faults by name, dots in names included, and keeps null", () => {
    assert.equal(readPath(results, "faults.kill-a1.startMs"), 4000);
    assert.equal(readPath(results, "faults.kill-a1.recoveryMs"), null);
    assert.equal(readPath(results, "faults.stall.a2.recoveryMs"), 250);
  });

  test("missing paths and non-numbers are undefined", () => {
    assert.equal(readPath(results, "delivery.duplicated"), undefined);
    assert.equal(readPath(results, "throughput.ackedPerSec"), undefined);
    assert.equal(readPath(results, "delivery"), undefined);
    assert.equal(readPath(results, "description"), undefined);
    assert.equal(readPath(results, "faults.nope.startMs"), undefined);
    assert.equal(readPath(results, "faults.kill-a1.endMs"), undefined);
    assert.equal(readPath({}, "faults.kill-a1.startMs"), undefined);
    assert.equal(readPath(null, "delivery.lost"), undefined);
  });
});

describe("fault loss attribution paths", () => {
  const results = {
    faults: [
      {
        name: "stall.a2",
        inWindow: { sent: 2000, lost: 1493, duplicated: 0 },
        outsideWindow: { sent: 9000, lost: 7, duplicated: 2 },
      },
    ],
  };

  test("faults.<name>.inWindow|outsideWindow.<sent|lost|duplicated> need a declared fault", () => {
    assert.equal(checkPath("faults.stall.a2.outsideWindow.lost", ["stall.a2"]), undefined);
    assert.equal(checkPath("faults.stall.a2.inWindow.duplicated", ["stall.a2"]), undefined);
    assert.equal(
      checkPath("faults.nope.inWindow.lost", ["stall.a2"]),
      'no fault named "nope"; faults here: stall.a2',
    );
    assert.match(checkPath("faults.stall.a2.inWindow.gone", ["stall.a2"]) ?? "", /no fault named|unknown/);
  });

  test("reads the window's counts, undefined for an unknown fault", () => {
    assert.equal(readPath(results, "faults.stall.a2.inWindow.lost"), 1493);
    assert.equal(readPath(results, "faults.stall.a2.outsideWindow.lost"), 7);
    assert.equal(readPath(results, "faults.other.outsideWindow.lost"), undefined);
  });
});
