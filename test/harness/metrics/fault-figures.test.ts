// Per-fault and per-incident figures on hand-built histories: overlapping faults, unavailability on
// buckets, the baseline, loss attribution, not-applied faults and outage-aware latency.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { requiredFaultsMissing } from "../../../harness/checkers/fault-applied.ts";
import type { NemesisF, Op } from "../../../harness/history/op.ts";
import type { FaultResult } from "../../../harness/results/types.ts";
import { analyze } from "../../../harness/run/analyze.ts";
import { type Scenario, scenarioFromObject } from "../../../harness/scenario/load.ts";
import { HistoryBuilder } from "../../helpers/history-builder.ts";

type Outcome = "ok" | "fail" | "info" | "lost" | "oneInTen" | "late";

/**
 * 100/s for 10 s (warmup 1 s): batch k of 10 messages goes out at k·100 ms + 95 ms and is acked
 * 2 ms later and delivered 1 ms after that, unless `outcome(k)` says: fail or info (answered 2 ms
 * later), lost (acked, never delivered), oneInTen (one message acked, nine info), late (info after
 * a 2 s timeout).
 */
function steady(outcome: (k: number) => Outcome = () => "ok", batches = 100): HistoryBuilder {
  const b = new HistoryBuilder().start("f", 1, 0).phase(0, "warmup").phase(1_000_000, "measure");
  for (let k = 0; k < batches; k++) {
    const t = k * 100_000 + 95_000;
    const from = k * 10;
    const o = outcome(k);
    if (o === "ok" || o === "lost") {
      b.send(t, 0, from, from + 9, "ok", t + 2000);
      if (o === "ok") b.deliver(t + 3000, 0, from, from + 9);
    } else if (o === "oneInTen") {
      b.send(t, 0, from, from, "ok", t + 2000);
      b.deliver(t + 3000, 0, from, from);
      b.send(t, 0, from + 1, from + 9, "info", t + 2000);
    } else if (o === "late") {
      b.send(t, 0, from, from + 9, "info", t + 2_000_000);
    } else {
      b.send(t, 0, from, from + 9, o, t + 2000);
    }
  }
  b.phase(10_000_000, "drain").phase(10_100_000, "done");
  return b;
}

/** A fault's steps: `first` at startUs (ok or fail), then the heal steps. */
function steps(
  b: HistoryBuilder,
  fault: string,
  kind: string,
  node: string,
  list: [number, "invoke" | "ok" | "fail", NemesisF][],
): HistoryBuilder {
  for (const [t, type, f] of list) b.nemesis(t, type, f, fault, node, kind);
  return b;
}

function scenario(faults: Record<string, unknown>[], workload: Record<string, unknown> = {}): Scenario {
  return scenarioFromObject(
    {
      name: "f",
      engine: "agent",
      topology: {
        agents: {
          a1: { channel: { type: "memory" }, sinks: ["a2"] },
          a2: { channel: { type: "memory" }, sinks: ["collector"] },
        },
      },
      workload: { rate: "100/s", producers: 1, warmup: "1s", duration: "9s", ...workload },
      faults,
      expect: { "delivery.lost": ">= 0" },
    },
    "f.yaml",
  );
}

const fault = (faults: FaultResult[], name: string) => faults.find((f) => f.name === name) as FaultResult;

describe("a pause that producers never notice, then a kill (agent-crash-memory-channel's shape)", () => {
  // a2 paused 3-5 s: a1 buffers, producers are acked; a1 killed at 4.5 s and restarted at 5.5 s
  // (ready 100 ms later): batches 45-55 fail, and everything acked 3-4.5 s (a1's buffer) is lost.
  const b = steady((k) => (k >= 45 && k <= 55 ? "fail" : k >= 30 && k < 45 ? "lost" : "ok"));
  steps(b, "stall-a2", "pause", "a2", [
    [3_000_000, "invoke", "pause"],
    [3_000_500, "ok", "pause"],
    [5_000_000, "invoke", "resume"],
    [5_000_500, "ok", "resume"],
  ]);
  steps(b, "kill-a1", "kill", "a1", [
    [4_500_000, "invoke", "kill"],
    [4_501_000, "ok", "kill"],
    [5_500_000, "invoke", "start"],
    [5_600_000, "ok", "start"],
  ]);
  const s = scenario([
    { name: "stall-a2", kind: "pause", node: "a2", at: "3s", for: "2s" },
    { name: "kill-a1", kind: "kill", node: "a1", at: "4.5s", restartAfter: "1s" },
  ]);
  const a = analyze(b.build(), s);
  const stall = fault(a.faults, "stall-a2");
  const kill = fault(a.faults, "kill-a1");

  test("the pause borrows neither the kill's detection nor its outage", () => {
    assert.equal(stall.detectMs, null);
    assert.equal(stall.unavailableMs, 0);
    assert.deepEqual(stall.overlapsWith, ["kill-a1"]);
  });

  test("the kill carries the loss: acked before it, destroyed by it", () => {
    assert.equal(a.delivery.lost, 150);
    assert.equal(kill.lost, 150);
    assert.equal(stall.lost, 0);
    assert.equal(a.lossAttribution?.unattributed, 0);
  });

  test("the kill's own figures: detection, unavailability on buckets, restart time, recovery", () => {
    assert.equal(kill.detectMs, 97);
    assert.equal(kill.unavailableMs, 1100);
    assert.equal(kill.endMs, 5500);
    assert.equal(kill.restartMs, 100);
    // Baseline 1-3 s (before the incident), not the warmup and not the stall.
    assert.deepEqual(kill.baseline, { fromMs: 1000, toMs: 3000, ackedPerSec: 100, deliveredPerSec: 100 });
    // Acks are back with the first batch after the restart command: every 1 s window from the heal on holds ≥ 90%.
    assert.equal(kill.recoveryMs, 0);
  });

  test("the pause healed inside the kill: its recovery belongs to the incident", () => {
    assert.equal(stall.recoveryMs, null);
    assert.match(stall.nullReasons?.recoveryMs ?? "", /kill-a1 was still active/);
  });

  test("one incident covers both, with the union window and the loss", () => {
    assert.equal(a.incidents?.length, 1);
    const inc = a.incidents?.[0];
    assert.deepEqual(inc?.faults, ["stall-a2", "kill-a1"]);
    assert.equal(inc?.startMs, 3000);
    assert.equal(inc?.endMs, 5500);
    assert.equal(inc?.lost, 150);
    assert.equal(inc?.detectMs, 1597);
    assert.equal(stall.incident, 0);
    assert.equal(kill.incident, 0);
  });

  test("per-fault latency before, during and after", () => {
    // Messages are intended every 10 ms and batched every 100 ms: up to 98 ms from intended to delivered.
    assert.equal(kill.latency.before?.endToEnd?.p99, 98);
    assert.equal(kill.latency.before?.endToEnd?.count, 200);
    // During the kill nothing intended was delivered; 100 attempts failed.
    assert.equal(kill.latency.during.endToEnd, null);
    assert.equal(kill.latency.during.publishAttempts?.count, 100);
    assert.equal(kill.latency.after?.endToEnd?.count, 290);
  });
});

describe("an earlier fault's noise does not swallow a later fault's figures", () => {
  // One empty 100 ms bucket during the pause (batch 35 not answered in time, as on a busy
  // machine) is not trouble; a failed or timed-out send would be.
  test("a single low bucket in the earlier fault's stretch leaves the later fault separable", () => {
    const b = steady((k) => (k === 35 ? "info" : k >= 45 && k <= 55 ? "fail" : "ok"));
    steps(b, "stall", "pause", "a2", [
      [3_000_000, "invoke", "pause"],
      [3_000_500, "ok", "pause"],
      [5_000_000, "invoke", "resume"],
      [5_000_500, "ok", "resume"],
    ]);
    steps(b, "kill", "kill", "a1", [
      [4_500_000, "invoke", "kill"],
      [4_501_000, "ok", "kill"],
    ]);
    const faults = [
      { name: "stall", kind: "pause", node: "a2", at: "3s", for: "2s" },
      { name: "kill", kind: "kill", node: "a1", at: "4.5s" },
    ];
    const a = analyze(b.build(), scenario(faults));
    // The info answer at 3.597 s is trouble: a timed-out send in the pause's own stretch.
    assert.equal(fault(a.faults, "stall").detectMs, 597);
    assert.equal(fault(a.faults, "kill").unavailableMs, null);
    // Without it, the single slow bucket alone does not make the pause troubled.
    const c = steady((k) => (k >= 45 && k <= 55 ? "fail" : "ok"));
    c.ops.splice(
      c.ops.findIndex((o) => o.f === "send" && o.type === "ok" && (o as { from: number }).from === 350),
      1,
    );
    steps(c, "stall", "pause", "a2", [
      [3_000_000, "invoke", "pause"],
      [3_000_500, "ok", "pause"],
      [5_000_000, "invoke", "resume"],
      [5_000_500, "ok", "resume"],
    ]);
    steps(c, "kill", "kill", "a1", [
      [4_500_000, "invoke", "kill"],
      [4_501_000, "ok", "kill"],
    ]);
    const d = analyze(c.build(), scenario(faults));
    assert.equal(fault(d.faults, "stall").unavailableMs, 100);
    assert.equal(fault(d.faults, "kill").unavailableMs, 1100);
  });
});

describe("a partition inside a kill window", () => {
  // a1 killed at 3 s, restarted at 6 s; a partition 4-5 s while it is down: every batch 30-60 fails.
  const b = steady((k) => (k >= 30 && k <= 60 ? "fail" : "ok"));
  steps(b, "kill-a1", "kill", "a1", [
    [3_000_000, "invoke", "kill"],
    [3_001_000, "ok", "kill"],
    [6_000_000, "invoke", "start"],
    [6_050_000, "ok", "start"],
  ]);
  steps(b, "cut", "partition", "a1 | a2,collector", [
    [4_000_000, "invoke", "partition"],
    [4_001_000, "ok", "partition"],
    [5_000_000, "invoke", "heal"],
    [5_001_000, "ok", "heal"],
  ]);
  const a = analyze(
    b.build(),
    scenario([
      { name: "kill-a1", kind: "kill", node: "a1", at: "3s", restartAfter: "3s" },
      { name: "cut", kind: "partition", groups: [["a1"], ["a2", "collector"]], at: "4s", for: "1s" },
    ]),
  );

  test("the partition cannot be told apart from the kill: null, and the incident carries it", () => {
    const cut = fault(a.faults, "cut");
    assert.equal(cut.detectMs, null);
    assert.equal(cut.unavailableMs, null);
    assert.match(cut.nullReasons?.unavailableMs ?? "", /kill-a1 was active/);
    const kill = fault(a.faults, "kill-a1");
    // The kill's own stretch ends where the partition began.
    assert.equal(kill.unavailableMs, 1000);
    assert.equal(a.incidents?.[0]?.unavailableMs, 3100);
    assert.deepEqual(a.incidents?.[0]?.faults, ["kill-a1", "cut"]);
  });
});

describe("two toxics on different links", () => {
  // A latency toxic on producers->a1 at 3 s for 1 s changes nothing here; a toxic on a1->a2 at
  // 3.5 s for 1 s makes batches 36-44 time out (info).
  const b = steady((k) => (k >= 36 && k <= 44 ? "info" : "ok"));
  steps(b, "slow-in", "toxic", "producers->a1", [
    [3_000_000, "invoke", "toxic"],
    [3_001_000, "ok", "toxic"],
    [4_000_000, "invoke", "untoxic"],
    [4_001_000, "ok", "untoxic"],
  ]);
  steps(b, "hop", "toxic", "a1->a2", [
    [3_500_000, "invoke", "toxic"],
    [3_501_000, "ok", "toxic"],
    [4_500_000, "invoke", "untoxic"],
    [4_501_000, "ok", "untoxic"],
  ]);
  const a = analyze(
    b.build(),
    scenario([
      { name: "slow-in", kind: "toxic", link: "producers->a1", type: "latency", at: "3s", for: "1s" },
      { name: "hop", kind: "toxic", link: "a1->a2", type: "timeout", at: "3.5s", for: "1s" },
    ]),
  );

  test("the first toxic's figures stop where the second began; the second gets its own", () => {
    const slow = fault(a.faults, "slow-in");
    const hop = fault(a.faults, "hop");
    assert.equal(slow.detectMs, null);
    assert.equal(slow.unavailableMs, 0);
    assert.equal(hop.detectMs, 197);
    assert.equal(hop.unavailableMs, 900);
    assert.deepEqual(slow.overlapsWith, ["hop"]);
    assert.equal(a.incidents?.length, 1);
    // Network faults destroy nothing: no loss is charged to them.
    assert.equal(slow.lost + hop.lost, 0);
  });
});

describe("unavailability on 100 ms buckets", () => {
  // From 3 s to 5 s one message in ten is acked: the longest gap between acks stays 100 ms, but
  // every bucket holds 10% of the baseline rate.
  const b = steady((k) => (k >= 30 && k < 50 ? "oneInTen" : "ok"));
  steps(b, "lossy", "toxic", "producers->a1", [
    [3_000_000, "invoke", "toxic"],
    [3_000_100, "ok", "toxic"],
    [5_000_000, "invoke", "untoxic"],
    [5_000_100, "ok", "untoxic"],
  ]);
  const a = analyze(
    b.build(),
    scenario([
      { name: "lossy", kind: "toxic", link: "producers->a1", type: "reset_peer", at: "3s", for: "2s" },
    ]),
  );

  test("one ack in ten is unavailable; the old figure stays as maxAckGapMs", () => {
    const f = fault(a.faults, "lossy");
    assert.equal(f.unavailableMs, 2000);
    assert.ok((f.maxAckGapMs as number) <= 100, `max ack gap ${f.maxAckGapMs}`);
  });
});

describe("the baseline", () => {
  test("a fault in the first second after the warmup has no baseline: recovery null with the reason", () => {
    const b = steady((k) => (k >= 15 && k < 20 ? "fail" : "ok"));
    steps(b, "early", "kill", "a1", [
      [1_500_000, "invoke", "kill"],
      [1_501_000, "ok", "kill"],
      [2_000_000, "invoke", "start"],
      [2_010_000, "ok", "start"],
    ]);
    const a = analyze(
      b.build(),
      scenario([{ name: "early", kind: "kill", node: "a1", at: "1.5s", restartAfter: "500ms" }]),
    );
    const f = fault(a.faults, "early");
    assert.equal(f.recoveryMs, null);
    assert.equal(f.baseline, null);
    assert.match(f.nullReasons?.recoveryMs ?? "", /no fault-free stretch/);
    // Unavailability falls back to the offered rate of each bucket.
    assert.equal(f.unavailableMs, 500);
  });

  test("a zero baseline gives recoveryMs null, not 'recovered 0 ms'", () => {
    const b = steady((k) => (k < 40 ? "info" : "ok"));
    steps(b, "k", "kill", "a1", [
      [4_000_000, "invoke", "kill"],
      [4_001_000, "ok", "kill"],
      [4_200_000, "invoke", "start"],
      [4_210_000, "ok", "start"],
    ]);
    const a = analyze(
      b.build(),
      scenario([{ name: "k", kind: "kill", node: "a1", at: "4s", restartAfter: "200ms" }]),
    );
    const f = fault(a.faults, "k");
    assert.equal(f.recoveryMs, null);
    assert.match(f.nullReasons?.recoveryMs ?? "", /zero baseline/);
  });
});

describe("loss attribution", () => {
  test("a loss with no kill, restart or power-loss after its ack is unattributed", () => {
    const b = steady((k) => (k === 80 ? "lost" : "ok"));
    steps(b, "k", "kill", "a1", [
      [4_000_000, "invoke", "kill"],
      [4_001_000, "ok", "kill"],
    ]);
    const a = analyze(b.build(), scenario([{ name: "k", kind: "kill", node: "a1", at: "4s" }]));
    assert.equal(fault(a.faults, "k").lost, 0);
    assert.equal(a.lossAttribution?.unattributed, 10);
  });
});

describe("a fault that did not happen", () => {
  const b = steady();
  steps(b, "refused", "toxic", "a1->a2", [
    [3_000_000, "invoke", "toxic"],
    [3_001_000, "fail", "toxic"],
  ]);
  b.ops[b.ops.length - 1] = { ...(b.ops[b.ops.length - 1] as Op), error: "toxic already exists" } as Op;
  const faults = [{ name: "refused", kind: "toxic", link: "a1->a2", type: "latency", at: "3s", for: "1s" }];

  test("is not applied, has no figures, and breaks the run unless optional", () => {
    const a = analyze(b.build(), scenario(faults));
    const f = fault(a.faults, "refused");
    assert.equal(f.applied, false);
    assert.equal(f.error, "toxic failed: toxic already exists");
    assert.equal(f.unavailableMs, null);
    assert.equal(f.detectMs, null);
    assert.equal(f.recoveryMs, null);
    assert.deepEqual(a.incidents, []);
    assert.match(requiredFaultsMissing(a.faults) ?? "", /refused: toxic failed/);
  });

  test("optional: true keeps the run going", () => {
    const a = analyze(b.build(), scenario([{ ...faults[0], optional: true }]));
    assert.equal(fault(a.faults, "refused").applied, false);
    assert.equal(requiredFaultsMissing(a.faults), undefined);
  });
});

describe("latency that sees outages", () => {
  // Batches 30-49 time out after 2 s (info): publish latency (acked sends) never sees them.
  const b = steady((k) => (k >= 30 && k < 50 ? "late" : "ok"));
  const a = analyze(b.build(), scenario([]));

  test("publishAttempts holds every attempt until its outcome; publish only the acked", () => {
    assert.ok(a.latency.publish.corrected.max < 100, `publish max ${a.latency.publish.corrected.max}`);
    const att = a.latency.publishAttempts;
    assert.ok(att && att.corrected.max >= 2000, `attempts max ${att?.corrected.max}`);
    assert.equal(att?.corrected.count, 900);
    assert.equal(att?.count, 900);
  });

  test("an attempt never answered counts until the run gave up (the end of the drain)", () => {
    const c = new HistoryBuilder().start("f", 1, 0);
    c.invoke(5_095_000, 0, 500, 509);
    c.phase(10_000_000, "drain").phase(10_100_000, "done");
    const r = analyze(c.build(), scenario([]));
    assert.equal(r.latency.publishAttempts?.count, 10);
    assert.equal(r.latency.publishAttempts?.max, 5005);
    assert.equal(r.latency.publish.count, 0);
  });
});

describe("acks=0", () => {
  test("a send without acks counts as sent only: not acked, no publish sample, never lost", () => {
    const b = steady((k) => (k % 2 === 0 ? "lost" : "ok"));
    const s = scenarioFromObject(
      {
        name: "z",
        engine: "log",
        topology: { partitions: 1 },
        workload: { rate: "100/s", producers: 1, warmup: "1s", duration: "9s", acks: 0 },
      },
      "z.yaml",
    );
    const a = analyze(b.build(), s);
    assert.equal(a.delivery.acked, 0);
    assert.equal(a.delivery.lost, 0);
    assert.equal(a.delivery.indeterminate, 1000);
    assert.equal(a.latency.publish.count, 0);
    assert.equal(a.throughput.ackedPerSec, 0);
  });
});
