import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Op } from "../../../harness/history/op.ts";
import type { FaultResult, Percentiles, SeriesRow } from "../../../harness/results/types.ts";
import { allHeld, analyze } from "../../../harness/run/analyze.ts";
import { type Scenario, scenarioFromObject } from "../../../harness/scenario/load.ts";
import { HistoryBuilder } from "../../helpers/history-builder.ts";

function scenario(extra: Record<string, unknown> = {}, workload: Record<string, unknown> = {}): Scenario {
  return scenarioFromObject(
    {
      name: "tiny",
      engine: "agent",
      topology: { agents: { a1: { channel: { type: "memory" }, sinks: ["collector"] } } },
      workload: { rate: "100/s", producers: 1, warmup: "1s", duration: "2s", ...workload },
      ...extra,
    },
    "tiny.yaml",
  );
}

const flat = (v: number, count: number): Percentiles => ({
  count,
  mean: v,
  p50: v,
  p90: v,
  p99: v,
  p999: v,
  max: v,
});

/**
 * 100/s for 3 s (1 s warmup + 2 s measured), one producer: message i is intended at i·10 ms.
 * Each is sent 0.5 ms late, acked 1 ms after the send, delivered 2 ms after its intended time,
 * except: message 10 (warmup) arrives 500 ms late, 150 arrives twice, 200 is lost and 250
 * arrives 40.5 ms after its intended time. The run drains until 3.5 s.
 */
function tinyHistory(): Op[] {
  const b = new HistoryBuilder().start("tiny", 1, -2000).phase(0, "warmup").phase(1_000_000, "measure");
  for (let i = 0; i < 300; i++) {
    const intended = i * 10_000;
    b.send(intended + 500, 0, i, i, "ok", intended + 1500);
    if (i === 200) continue;
    const late = i === 10 ? 500_000 : i === 250 ? 40_500 : 2000;
    b.deliver(intended + late, 0, i, i);
    if (i === 150) b.deliver(intended + 3000, 0, i, i);
  }
  b.phase(3_000_000, "drain").phase(3_500_000, "done");
  return b.build();
}

const tinyExpect = {
  "delivery.lost": 1,
  "latency.endToEnd.corrected.p99": "< 100ms",
  "throughput.offeredPerSec": ">= 100/s",
  "delivery.duplicated": 0,
};

describe("analyze on a tiny hand-built run", () => {
  const s = scenario({ expect: tinyExpect });
  const a = analyze(tinyHistory(), s);

  test("the window comes from the scenario and the done phase", () => {
    assert.deepEqual(a.window, {
      warmupMs: 1000,
      measureStartMs: 1000,
      measureEndMs: 3000,
      drainedAtMs: 3500,
    });
  });

  test("delivery accounting counts the planted loss and duplicate", () => {
    assert.deepEqual(a.delivery, {
      attempted: 300,
      acked: 300,
      failed: 0,
      indeterminate: 0,
      delivered: 299,
      lost: 1,
      duplicated: 1,
      duplicateDeliveries: 1,
      unexpected: 0,
      recovered: 0,
      failedButDelivered: 0,
      corrupted: 0,
    });
  });

  test("throughput is per second of the measured window", () => {
    // 200 offered, sent and acked in [1 s, 3 s); 199 first deliveries (200 was lost).
    assert.deepEqual(a.throughput, {
      offeredPerSec: 100,
      sentPerSec: 100,
      ackedPerSec: 100,
      deliveredPerSec: 99.5,
    });
  });

  test("publish latency: from the send, and corrected from the intended time; warmup excluded", () => {
    assert.deepEqual(a.latency.publish, { ...flat(1, 200), corrected: flat(1.5, 200) });
  });

  test("end-to-end latency: corrected is the delivery time minus the intended time", () => {
    const { corrected, ...uncorrected } = a.latency.endToEnd;
    assert.equal(corrected.count, 199, "warmup messages and the lost one are not measured");
    assert.equal(corrected.p50, 2);
    assert.equal(corrected.p99, 2);
    assert.equal(corrected.p999, 40.5);
    assert.equal(corrected.max, 40.5);
    assert.ok(Math.abs(corrected.mean - (198 * 2 + 40.5) / 199) < 0.002, `mean ${corrected.mean}`);
    assert.equal(uncorrected.count, 199);
    assert.equal(uncorrected.p50, 1.5);
    assert.equal(uncorrected.max, 40);
  });

  test("one series row per second up to the drain, with per-second latency", () => {
    const row = (t: number, r: Partial<SeriesRow>): SeriesRow => ({
      t,
      offered: 0,
      sent: 0,
      acked: 0,
      failed: 0,
      indeterminate: 0,
      delivered: 0,
      e2eP50: null,
      e2eP99: null,
      e2eMax: null,
      publishP50: null,
      publishP99: null,
      publishCorrectedP50: null,
      publishCorrectedP99: null,
      e2eUncorrectedP50: null,
      e2eUncorrectedP99: null,
      attemptsCorrectedP50: null,
      attemptsCorrectedP99: null,
      backlog: 0,
      ...r,
    });
    assert.deepEqual(a.series, [
      row(0, { offered: 100, sent: 100, acked: 100, delivered: 100 }),
      row(1, {
        offered: 100,
        sent: 100,
        acked: 100,
        delivered: 101,
        e2eP50: 2,
        e2eP99: 2,
        e2eMax: 2,
        publishP50: 1,
        publishP99: 1,
        publishCorrectedP50: 1.5,
        publishCorrectedP99: 1.5,
        e2eUncorrectedP50: 1.5,
        e2eUncorrectedP99: 1.5,
        attemptsCorrectedP50: 1.5,
        attemptsCorrectedP99: 1.5,
      }),
      row(2, {
        offered: 100,
        sent: 100,
        acked: 100,
        delivered: 99,
        e2eP50: 2,
        e2eP99: 40.5,
        e2eMax: 40.5,
        publishP50: 1,
        publishP99: 1,
        publishCorrectedP50: 1.5,
        publishCorrectedP99: 1.5,
        e2eUncorrectedP50: 1.5,
        e2eUncorrectedP99: 40,
        attemptsCorrectedP50: 1.5,
        attemptsCorrectedP99: 1.5,
        backlog: 1,
      }),
      row(3, { backlog: 1 }),
    ]);
  });

  test("checks: the delivery check, then one per expectation in order", () => {
    assert.deepEqual(
      a.checks.map((c) => [c.name, c.valid]),
      [
        ["delivery", true],
        ["expect delivery.lost == 1", true],
        ["expect delivery.unexpected == 0", true],
        ["expect delivery.failedButDelivered == 0", true],
        ["expect delivery.corrupted == 0", true],
        ["expect latency.endToEnd.corrected.p99 < 100", true],
        ["expect throughput.offeredPerSec >= 100", true],
        ["expect delivery.duplicated == 0", false],
      ],
    );
    assert.equal(a.checks[7]?.detail, "delivery.duplicated = 1 (expected 0)");
    assert.equal(allHeld(a.checks), false);
    assert.deepEqual(a.faults, []);
  });

  test("the default expectations catch the loss", () => {
    const d = analyze(tinyHistory(), scenario());
    assert.deepEqual(
      d.checks.map((c) => [c.name, c.valid]),
      [
        ["delivery", true],
        ["expect delivery.lost == 0", false],
        ["expect delivery.unexpected == 0", true],
        ["expect delivery.failedButDelivered == 0", true],
        ["expect delivery.corrupted == 0", true],
      ],
    );
  });

  test("without a done phase the series ends with the load", () => {
    const ops = tinyHistory().filter((o) => !(o.f === "phase" && o.phase === "done"));
    const d = analyze(ops, s);
    assert.equal(d.window.drainedAtMs, 3000);
    assert.equal(d.series.length, 3);
  });

  test("unanswered sends are indeterminate at the drain, failures in their second", () => {
    const b = new HistoryBuilder();
    b.send(1_200_000, 0, 0, 4, "fail", 1_300_000);
    b.invoke(2_100_000, 0, 5, 9);
    b.phase(3_500_000, "done");
    const d = analyze(b.build(), s);
    assert.equal(d.series[1]?.failed, 5);
    assert.equal(d.series[3]?.indeterminate, 5);
    assert.equal(d.delivery.failed, 5);
    assert.equal(d.delivery.indeterminate, 5);
  });

  test("is deterministic and leaves its input alone", () => {
    const ops = tinyHistory();
    const copy = structuredClone(ops);
    const first = analyze(ops, s);
    assert.deepEqual(ops, copy);
    assert.deepEqual(analyze(ops, s), first);
    assert.deepEqual(analyze(structuredClone(copy), scenario({ expect: tinyExpect })), first);
  });
});

describe("analyze with a fault", () => {
  /**
   * 100/s for 10 s (1 s warmup), sent in batches of 10 every 100 ms and acked 2 ms after the batch
   * is sent, so every 100 ms bin holds 10 acks. a1 is killed at 4 s and healed at 5.502 s: batches
   * 40-55 fail outright, batches 56-65 get only half acked, full rate from batch 66 on.
   */
  function faultHistory(): Op[] {
    const b = new HistoryBuilder().start("fault", 1, 0);
    for (let k = 0; k < 100; k++) {
      const sendT = k * 100_000 + 95_000;
      const ackT = sendT + 2000;
      const from = k * 10;
      if (k >= 40 && k <= 55) {
        b.send(sendT, 0, from, from + 9, "fail", ackT);
      } else if (k >= 56 && k <= 65) {
        b.send(sendT, 0, from, from + 4, "fail", ackT);
        b.send(sendT, 0, from + 5, from + 9, "ok", ackT);
        b.deliver(ackT + 1000, 0, from + 5, from + 9);
      } else {
        b.send(sendT, 0, from, from + 9, "ok", ackT);
        b.deliver(ackT + 1000, 0, from, from + 9);
      }
    }
    b.nemesis(4_000_000, "invoke", "kill", "kill-a1", "a1", "kill");
    b.nemesis(4_001_000, "ok", "kill", "kill-a1", "a1", "kill");
    b.ops.push({
      t: 4_000_500,
      process: "supervisor",
      type: "info",
      f: "exit",
      node: "a1",
      code: null,
      signal: "SIGKILL",
      expected: true,
    });
    b.nemesis(5_500_000, "invoke", "start", "kill-a1", "a1", "kill");
    b.nemesis(5_502_000, "ok", "start", "kill-a1", "a1", "kill");
    return b.build();
  }

  const s = scenario(
    {
      faults: [
        { name: "kill-a1", kind: "kill", node: "a1", at: "4s", restartAfter: "1.5s" },
        { name: "stall", kind: "pause", node: "a1", at: "8s", for: "500ms" },
      ],
      expect: {
        "faults.kill-a1.recoveryMs": "< 2s",
        "faults.kill-a1.unavailableMs": "< 1s",
        "faults.stall.recoveryMs": "< 1s",
      },
    },
    { duration: "9s" },
  );
  const a = analyze(faultHistory(), s);

  test("a harmless earlier fault does not borrow a later fault's trouble, gap or loss", () => {
    // A 200 ms toxic at 2 s touches nothing; the kill at 4 s (faultHistory) fails sends. The toxic's
    // detection and unavailability must come from its own reach only.
    const ops = faultHistory();
    ops.push(
      {
        t: 2_000_000,
        process: "nemesis",
        type: "invoke",
        f: "toxic",
        fault: "noop",
        node: "producers->a1",
        kind: "toxic",
      },
      {
        t: 2_001_000,
        process: "nemesis",
        type: "ok",
        f: "toxic",
        fault: "noop",
        node: "producers->a1",
        kind: "toxic",
      },
      {
        t: 2_200_000,
        process: "nemesis",
        type: "invoke",
        f: "untoxic",
        fault: "noop",
        node: "producers->a1",
        kind: "toxic",
      },
      {
        t: 2_201_000,
        process: "nemesis",
        type: "ok",
        f: "untoxic",
        fault: "noop",
        node: "producers->a1",
        kind: "toxic",
      },
    );
    ops.sort((x, y) => x.t - y.t);
    const sc = scenario(
      {
        faults: [
          { name: "noop", kind: "toxic", link: "producers->a1", type: "noop", at: "2s", for: "200ms" },
          { name: "kill-a1", kind: "kill", node: "a1", at: "4s", restartAfter: "1.5s" },
        ],
      },
      { duration: "9s" },
    );
    const noop = analyze(ops, sc).faults.find((f) => f.name === "noop");
    assert.equal(noop?.detectMs, null);
    assert.ok((noop?.unavailableMs as number) < 200, `unavailable ${noop?.unavailableMs}`);
  });

  test("a backlog whose acked messages never arrive has not drained", () => {
    const ops = faultHistory().filter((o) => !(o.f === "deliver" && o.t > 3_000_000 && o.t < 3_500_000));
    const f = analyze(ops, s).faults[0];
    assert.equal(f?.backlogDrainedMs, null);
    assert.ok((f?.outsideWindow.lost as number) > 0);
  });

  test("a fault that happened gets its window, unavailability, longest gap and recovery", () => {
    // The heal is the restart command (5.5 s); the new process was ready 2 ms later. Baseline: the
    // fault-free stretch 1-4 s, 100 acks/s. From the heal the first 100 ms step whose every 1 s
    // window for 3 s holds ≥ 90 acks is 6.4 s (bins 64-73 hold 2·5 + 8·10 = 90): recovery 900 ms.
    // Buckets 4.0-5.6 s hold no ack (below 50% of 10 per bucket); from 5.6 s half the batch is
    // acked (not below 50%): 1600 ms unavailable. The longest ack gap, 4 s to 5.697 s, is 1697 ms.
    const { latency, ...f } = a.faults[0] as FaultResult;
    assert.deepEqual(f, {
      name: "kill-a1",
      kind: "kill",
      target: "a1",
      applied: true,
      startMs: 4000,
      endMs: 5500,
      restartMs: 2,
      overlapsWith: [],
      incident: 0,
      unavailableMs: 1600,
      maxAckGapMs: 1697,
      recoveryMs: 900,
      detectMs: 97,
      ackRecoveryMs: 900,
      deliveryRecoveryMs: 900,
      backlogDrainedMs: 0,
      baseline: { fromMs: 1000, toMs: 4000, ackedPerSec: 100, deliveredPerSec: 100 },
      lost: 0,
      inWindow: { sent: 150, lost: 0, duplicated: 0 },
      outsideWindow: { sent: 850, lost: 0, duplicated: 0 },
    });
    // Before: e2e 3 ms, attempts 2 ms; during, the failed batches answer in 2 ms too (the
    // intended times here are the schedule's, not the batch's, so only the shape is checked).
    assert.ok(latency.before?.endToEnd && latency.before.publishAttempts);
    assert.ok(latency.during.publishAttempts);
    assert.ok(latency.after?.endToEnd);
  });

  test("a declared fault with no nemesis ops is left out and its expectation is unknown", () => {
    assert.deepEqual(
      a.checks.map((c) => [c.name, c.valid]),
      [
        ["delivery", true],
        ["expect delivery.lost == 0", true],
        ["expect delivery.unexpected == 0", true],
        ["expect delivery.failedButDelivered == 0", true],
        ["expect delivery.corrupted == 0", true],
        ["expect faults.kill-a1.recoveryMs < 2000", true],
        ["expect faults.kill-a1.unavailableMs < 1000", false],
        ["expect faults.stall.recoveryMs < 1000", "unknown"],
      ],
    );
    assert.equal(a.checks[5]?.detail, "faults.kill-a1.recoveryMs = 900 (expected < 2s)");
  });

  test("delivery and the series show the failed sends", () => {
    assert.equal(a.delivery.attempted, 1000);
    assert.equal(a.delivery.failed, 210);
    assert.equal(a.delivery.acked, 790);
    assert.equal(a.delivery.delivered, 790);
    assert.equal(a.delivery.lost, 0);
    assert.deepEqual(
      a.series.slice(3, 7).map((r) => [r.t, r.acked, r.failed]),
      [
        [3, 100, 0],
        [4, 0, 100],
        [5, 20, 80],
        [6, 70, 30],
      ],
    );
    assert.equal(a.series.length, 10);
  });

  test("a fault that never recovers within the load has recoveryMs null", () => {
    const ops = faultHistory().filter(
      (o) => !(o.f === "send" && o.t >= 5_600_000 && (o.type === "ok" || o.type === "invoke")),
    );
    const d = analyze(ops, s);
    assert.equal(d.faults[0]?.recoveryMs, null);
    // No ack after 3.997 s: the gap runs from the fault's start to the end of the load.
    assert.equal(d.faults[0]?.unavailableMs, 6000);
    const rec = d.checks.find((c) => c.name === "expect faults.kill-a1.recoveryMs < 2000");
    assert.equal(rec?.valid, false);
  });

  test("is deterministic", () => {
    assert.deepEqual(analyze(faultHistory(), s), a);
  });
});

describe("analyze with sampler ops", () => {
  const s = scenario({ expect: tinyExpect });
  const sample = (t: number, node: string, size: number, pct: number): Op => ({
    t,
    process: "sampler",
    type: "info",
    f: "sample",
    node,
    metrics: { channelSize: size, channelFillPercentage: pct },
  });

  test("channel samples become nodes.<name>.channelFill and change no other figure or verdict", () => {
    const plain = analyze(tinyHistory(), s);
    const ops = [
      ...tinyHistory(),
      sample(-300_000, "a1", 5, 0.5),
      sample(400_000, "a1", 10, 1),
      sample(1_300_000, "a1", 300, 30),
      sample(1_700_000, "a1", 200, 20),
      sample(2_200_000, "a2", 7, 0.7),
    ].sort((x, y) => x.t - y.t);
    const withSamples = analyze(ops, s);
    assert.deepEqual(withSamples.nodes, {
      a1: {
        channelFill: [
          { t: 0, size: 10, fillPct: 1 },
          { t: 1, size: 300, fillPct: 30 },
        ],
      },
      a2: { channelFill: [{ t: 2, size: 7, fillPct: 0.7 }] },
    });
    assert.deepEqual(plain.nodes, {});
    const { nodes: _a, ...restPlain } = plain;
    const { nodes: _b, ...restSamples } = withSamples;
    assert.deepEqual(restSamples, restPlain);
  });

  test("the latency distribution is a rising percentile curve ending at the maximum", () => {
    const a = analyze(tinyHistory(), s);
    const curve = a.latency.distribution?.endToEnd.corrected ?? [];
    assert.ok(curve.length > 10, `${curve.length} points`);
    assert.equal(curve[0]?.percentile, 0);
    assert.deepEqual(curve.at(-1), { percentile: 100, ms: a.latency.endToEnd.corrected.max });
    for (let i = 1; i < curve.length; i++) {
      assert.ok((curve[i]?.percentile as number) > (curve[i - 1]?.percentile as number));
      assert.ok((curve[i]?.ms as number) >= (curve[i - 1]?.ms as number));
    }
    // 199 measured messages: the curve stops before the tail is thinner than one sample.
    const lastTail = 100 - (curve.at(-2)?.percentile as number);
    assert.ok(lastTail * 199 >= 100, `tail ${lastTail}%`);
  });
});

describe("analyze a replicated log run whose leader change re-used offsets a consumer had read", () => {
  /**
   * 20 messages of one producer, acked; offsets 0-9 read in leader epoch 0 at 1.1-1.2 s; a kill of
   * broker-1 at 2 s; the new leader (epoch 1) re-used offsets 5-9 for messages 10-14, read at
   * 3 s, and 15-19 follow at offsets 10-14. Messages 5-9 were delivered, yet the log lost them.
   */
  function history(): Op[] {
    const b = new HistoryBuilder().start("rw", 1, 0).phase(0, "warmup").phase(1_000_000, "measure");
    b.send(1_000_000, 0, 0, 9, "ok", 1_001_000);
    const read = (t: number, from: number, to: number, offset: number, epoch: number) =>
      b.ops.push({
        t,
        process: "consumer-1",
        type: "ok",
        f: "deliver",
        producer: 0,
        from,
        to,
        node: "consumer-1",
        partition: 0,
        offset,
        epoch,
      });
    read(1_100_000, 0, 4, 0, 0);
    read(1_200_000, 5, 9, 5, 0);
    b.nemesis(2_000_000, "invoke", "kill", "kill-leader", "broker-1", "kill");
    b.nemesis(2_001_000, "ok", "kill", "kill-leader", "broker-1", "kill");
    b.send(2_500_000, 0, 10, 19, "ok", 2_600_000);
    read(3_000_000, 10, 19, 5, 1);
    b.phase(4_000_000, "drain").phase(4_500_000, "done");
    return b.build();
  }
  const s = scenarioFromObject(
    {
      name: "rw",
      engine: "log",
      topology: { brokers: 3, replication: 3, partitions: 1 },
      workload: { rate: "10/s", producers: 1, warmup: "1s", duration: "3s" },
      faults: [{ name: "kill-leader", kind: "kill", node: "broker-1", at: "2s" }],
      expect: { "order.truncatedRewritten": 5 },
    },
    "rw.yaml",
  );
  const a = analyze(history(), s);

  test("the re-used offsets are truncatedRewritten, not inconsistent, and the kill is charged with them", () => {
    assert.equal(a.order?.truncatedRewritten, 5);
    assert.equal(a.order?.inconsistentOffsets, 0);
    assert.equal(a.delivery.lost, 0);
    assert.equal(a.faults.find((f) => f.name === "kill-leader")?.truncatedRewritten, 5);
    assert.equal(a.lossAttribution?.truncations?.unattributed, 0);
    assert.ok(allHeld(a.checks), JSON.stringify(a.checks.filter((c) => c.valid !== true)));
  });
});
