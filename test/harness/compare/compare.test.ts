import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compareSets } from "../../../harness/compare/compare.ts";
import { parseThreshold, thresholdFor } from "../../../harness/compare/thresholds.ts";
import { summaryLine } from "../../../reports/gate/rows.ts";
import { runsOf, setOf } from "../../helpers/gate-samples.ts";

const figure = (c: ReturnType<typeof compareSets>, path: string) =>
  c.scenarios[0]?.figures.find((f) => f.spec.path === path);

describe("the regression gate", () => {
  test("A/A: two sets of 5 repeats of the same thing report no regression", () => {
    for (const seed of [1, 2, 3, 4]) {
      const c = compareSets(setOf(runsOf(5, seed)), setOf(runsOf(5, seed + 100)));
      assert.equal(
        c.exitCode,
        0,
        JSON.stringify(c.scenarios[0]?.figures.filter((f) => f.verdict === "regression")),
      );
      assert.deepEqual(c.scenarios[0]?.warnings, []);
    }
  });

  test("a planted 5 ms delay on 4 ms latency is a latency regression (exit 1)", () => {
    const c = compareSets(setOf(runsOf(5, 1)), setOf(runsOf(5, 2, { plantedMs: 5 })));
    assert.equal(c.exitCode, 1);
    const p50 = figure(c, "latency.endToEnd.corrected.p50");
    assert.equal(p50?.verdict, "regression");
    // 5 vs 5 completely separated: the smallest exact p, 2/252.
    assert.ok(Math.abs((p50?.p as number) - 2 / 252) < 1e-9);
    assert.ok((p50?.change as number) > 1, `change ${p50?.change}`);
    assert.ok(p50?.interval && p50.interval.low > 0.8, JSON.stringify(p50?.interval));
    // Throughput did not move.
    assert.notEqual(figure(c, "throughput.ackedPerSec")?.verdict, "regression");
    // The merged distributions agree: p50 moved by about 5 ms, inside a bootstrap interval above 0.
    const d = c.scenarios[0]?.distribution.find((x) => x.latency === "endToEnd" && x.percentile === 50);
    assert.ok(d?.interval && d.interval.low > 3 && d.interval.high < 7, JSON.stringify(d));
  });

  test("the same move with 3 repeats a side cannot be significant: not a regression, and a warning", () => {
    const c = compareSets(setOf(runsOf(3, 1)), setOf(runsOf(3, 2, { plantedMs: 5 })));
    assert.equal(c.exitCode, 0);
    assert.equal(figure(c, "latency.endToEnd.corrected.p50")?.verdict, "not significant");
    assert.match(c.scenarios[0]?.warnings[0] ?? "", /below 5 a side/);
    // And the verdict line does not claim there is no regression: it cannot judge.
    assert.match(c.scenarios[0]?.undecided[0] ?? "", /smallest p the test can give is 0\.10/);
    assert.match(summaryLine(c), /^no regression shown, but CANNOT JUDGE: /);
  });

  test("A/A with enough repeats is a real 'no regression'; a worse move inside the noise is undecided", () => {
    const aa = compareSets(setOf(runsOf(5, 1)), setOf(runsOf(5, 101)));
    assert.deepEqual(aa.scenarios[0]?.undecided, []);
    assert.equal(summaryLine(aa), "no regression");
    // 4 vs 4: the floor p is 2/70 < 0.05, so the test can decide; mix planted and plain runs on the
    // candidate side so the move is past the threshold but not separated: undecided, named.
    const mixed = [...runsOf(2, 7, { plantedMs: 5 }), ...runsOf(2, 8)];
    const c = compareSets(setOf(runsOf(4, 1)), setOf(mixed));
    const p50 = figure(c, "latency.endToEnd.corrected.p50");
    assert.equal(p50?.verdict, "not significant", JSON.stringify(p50));
    assert.equal(c.exitCode, 0);
    assert.ok(
      c.scenarios[0]?.undecided.some((u) => u.startsWith("end-to-end p50")),
      JSON.stringify(c.scenarios[0]?.undecided),
    );
    assert.match(
      summaryLine(c),
      /CANNOT JUDGE: .*quiet: end-to-end p50 .* within what the noise of 4 vs 4 repeats allows/,
    );
  });

  test("lost messages fail on one run each side, whatever the statistics", () => {
    const c = compareSets(setOf(runsOf(1, 1)), setOf(runsOf(1, 2, { lost: 7 })));
    assert.equal(c.exitCode, 1);
    const lost = figure(c, "delivery.lost");
    assert.equal(lost?.verdict, "regression");
    assert.match(lost?.reason ?? "", /7 in a candidate run/);
    assert.deepEqual(
      c.scenarios[0]?.newlyFailedChecks.map((k) => k.name),
      ["delivery"],
    );
  });

  test("loss the baseline already had is counted, not gated on one run", () => {
    const c = compareSets(setOf(runsOf(1, 1, { lost: 5 })), setOf(runsOf(1, 2, { lost: 6 })));
    assert.equal(figure(c, "delivery.lost")?.verdict, "within threshold");
    assert.equal(c.exitCode, 0);
  });

  test("a broken candidate run exits 3", () => {
    const c = compareSets(
      setOf(runsOf(5, 1)),
      setOf([...runsOf(4, 2), ...runsOf(1, 3, { status: "errored" })]),
    );
    assert.equal(c.exitCode, 3);
    assert.equal(c.scenarios[0]?.broken.length, 1);
  });

  test("a scenario's own threshold wins over the default", () => {
    const regression = { "latency.endToEnd.corrected.p50": "+500%" };
    const cand = runsOf(5, 2, { plantedMs: 5 }).map((r) => ({ ...r, scenario: { regression } }));
    const c = compareSets(setOf(runsOf(5, 1)), setOf(cand));
    const p50 = figure(c, "latency.endToEnd.corrected.p50");
    assert.equal(p50?.threshold.source, "scenario");
    assert.equal(p50?.verdict, "within threshold");
  });

  test("a baseline from another machine class is compared with a warning", () => {
    const c = compareSets(setOf(runsOf(5, 1, { cpu: "other cpu" })), setOf(runsOf(5, 2)));
    assert.match(c.warnings.join(" "), /different machine class/);
  });

  test("thresholds: parsing and noise scaling", () => {
    assert.deepEqual(parseThreshold("+10%"), { relative: 0.1, worse: "up" });
    assert.deepEqual(parseThreshold("-5%"), { relative: 0.05, worse: "down" });
    assert.match(parseThreshold("10") as string, /not a threshold/);
    assert.match(parseThreshold("fast") as string, /e\.g\. \+10%/);
    // A default of 10% with a measured CV of 8% widens to 16%; a CV of 2% leaves it.
    assert.deepEqual(thresholdFor("x", "lower", 0.1, undefined, 0.08), {
      relative: 0.16,
      worse: "up",
      source: "noise",
    });
    assert.equal(thresholdFor("x", "lower", 0.1, undefined, 0.02).source, "default");
    assert.equal(thresholdFor("x", "higher", 0.05, undefined, null).worse, "down");
  });
});

describe("faults in the gate", () => {
  const fault = (recoveryMs: number | null) => ({
    name: "kill-a1",
    kind: "kill",
    target: "a1",
    startMs: 3000,
    endMs: 4000,
    unavailableMs: 900,
    recoveryMs,
    detectMs: 10,
    ackRecoveryMs: recoveryMs,
    deliveryRecoveryMs: recoveryMs,
    backlogDrainedMs: 5,
    inWindow: { sent: 1, lost: 0, duplicated: 0 },
    outsideWindow: { sent: 1, lost: 0, duplicated: 0 },
    applied: true,
    overlapsWith: [],
    incident: 0,
    maxAckGapMs: 900,
    restartMs: null,
    baseline: null,
    lost: 0,
    latency: { before: null, during: { endToEnd: null, publishAttempts: null }, after: null },
  });

  test("a fault that never recovered in the candidate, where every baseline run did, is a regression", () => {
    const c = compareSets(
      setOf(runsOf(1, 1, { faults: [fault(800)] })),
      setOf(runsOf(1, 2, { faults: [fault(null)] })),
    );
    assert.equal(figure(c, "faults.kill-a1.recoveryMs")?.verdict, "regression");
  });

  test("a fault only the candidate injected is not comparable, not a regression", () => {
    const c = compareSets(setOf(runsOf(5, 1)), setOf(runsOf(5, 2, { faults: [fault(null)] })));
    assert.equal(figure(c, "faults.kill-a1.recoveryMs")?.verdict, "not comparable");
    assert.equal(c.exitCode, 0);
  });
});
