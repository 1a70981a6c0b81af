/**
 * Synthetic runs for the report tests: a results.json shaped like a real 20 s agent run with a
 * stall and a kill (one of which never recovers), channel fill, latency curves from a real
 * histogram, and hostile text wherever a scenario, a config or a log can put text. Writing them as
 * run directories lets the builders and the browser test work without booting engines.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Op } from "../../../harness/history/op.ts";
import { LatencyHistogram } from "../../../harness/metrics/histogram.ts";
import type { LatencyDistribution, Percentiles, Results, SeriesRow } from "../../../harness/results/types.ts";

export const HOSTILE = "<script>alert(1)</script>";
export const HOSTILE_LOG = "tail of a1: </script><script>alert('log')</script><!-- x";

export interface FixtureOptions {
  scenario?: string;
  /** Multiplies every latency (a candidate that regressed). */
  slower?: number;
  lost?: number;
  /** Leave out the additive fields, like a results.json from before they existed. */
  old?: boolean;
}

function hist(values: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const us of values) h.record(us);
  return h;
}

const faultExtras = {
  detectMs: null,
  ackRecoveryMs: 900,
  deliveryRecoveryMs: 1200.5,
  backlogDrainedMs: 400,
  inWindow: { sent: 3000, lost: 0, duplicated: 0 },
  outsideWindow: { sent: 15000, lost: 0, duplicated: 0 },
  applied: true,
  overlapsWith: [],
  incident: 0,
  maxAckGapMs: 1000,
  restartMs: null,
  baseline: null,
  lost: 0,
  latency: { before: null, during: { endToEnd: null, publishAttempts: null }, after: null },
};

export function syntheticResults(o: FixtureOptions = {}): Results {
  const k = o.slower ?? 1;
  const seconds = 20;
  const series: SeriesRow[] = [];
  for (let t = 0; t < seconds; t++) {
    const down = t >= 6 && t < 9;
    const load = t < 18;
    series.push({
      t,
      offered: load ? 1000 : 0,
      sent: load ? 1000 : 0,
      acked: load ? (down ? 0 : 1000) : 0,
      failed: load && down ? 1000 : 0,
      indeterminate: t === 8 ? 12 : 0,
      backlog: down ? (t - 5) * 1000 : 0,
      delivered: load ? (down ? 0 : t === 9 ? 1500 : 1000) : 0,
      e2eP50: down ? null : 2 * k,
      e2eP99: down ? null : (t === 9 ? 2900 : 5) * k,
      e2eMax: down ? null : (t === 9 ? 3000 : 9) * k,
      publishP50: down ? null : 1 * k,
      publishP99: down ? null : 3 * k,
    });
  }
  const e2e = hist(
    Array.from({ length: 5000 }, (_, i) => (1500 + (i % 100) * 40 + (i > 4990 ? 2_900_000 : 0)) * k),
  );
  const e2eC = hist(
    Array.from({ length: 5000 }, (_, i) => (2000 + (i % 100) * 50 + (i > 4980 ? 3_000_000 : 0)) * k),
  );
  const pub = hist(Array.from({ length: 5000 }, (_, i) => (300 + (i % 50) * 20) * k));
  const pubC = hist(Array.from({ length: 5000 }, (_, i) => (900 + (i % 50) * 30) * k));
  const dist = (u: LatencyHistogram, c: LatencyHistogram): LatencyDistribution => ({
    uncorrected: u.curve(),
    corrected: c.curve(),
  });
  const lost = o.lost ?? 1234;
  const r: Results = {
    schemaVersion: 1,
    scenario: o.scenario ?? "synthetic-crash",
    description: `A synthetic run. ${HOSTILE} & "quotes" — with a second line.\nSecond line.`,
    engine: "agent",
    seed: 7,
    status: "failed",
    startedAt: "2026-01-02T03:04:05.000Z",
    environment: {
      node: "v20.0.0",
      os: "Linux",
      cpu: "test cpu",
      cpus: 2,
      memoryGiB: 4,
      gitCommit: "0123456789abcdef",
      faultbench: "0.1.0",
    },
    window: { warmupMs: 2000, measureStartMs: 2000, measureEndMs: 18000, drainedAtMs: 19500.5 },
    throughput: { offeredPerSec: 1000, sentPerSec: 1000, ackedPerSec: 812.375, deliveredPerSec: 801.25 },
    latency: {
      publish: { ...pub.percentiles(), corrected: pubC.percentiles() as Percentiles },
      endToEnd: { ...e2e.percentiles(), corrected: e2eC.percentiles() as Percentiles },
      distribution: { publish: dist(pub, pubC), endToEnd: dist(e2e, e2eC) },
    },
    delivery: {
      attempted: 18000,
      acked: 15000,
      failed: 3000,
      indeterminate: 12,
      delivered: 15000 - lost + 9,
      lost,
      duplicated: 37,
      duplicateDeliveries: 40,
      unexpected: 0,
      recovered: 9,
      failedButDelivered: 0,
    },
    faults: [
      {
        name: `stall ${HOSTILE}`,
        kind: "pause",
        target: "a2",
        startMs: 6000,
        endMs: 9000,
        unavailableMs: 3000.4,
        recoveryMs: 1200.5,
        ...faultExtras,
      },
      {
        name: "kill-a1",
        kind: "kill",
        target: "a1",
        startMs: 8000,
        endMs: 10000,
        unavailableMs: 2500,
        recoveryMs: null,
        ...faultExtras,
        detectMs: 12,
      },
    ],
    checks: [
      { name: "delivery", valid: true, detail: "nothing unexpected" },
      { name: "expect delivery.lost == 0", valid: false, detail: `delivery.lost = ${lost} (expected 0)` },
      { name: "expect faults.kill-a1.recoveryMs < 5s", valid: false, detail: "never reached" },
    ],
    series,
    deliveredBy: { collector: 16766 },
    nodes: {
      a1: {
        channelFill: series.map((s) => ({
          t: s.t,
          size: s.t >= 6 && s.t < 9 ? 900 : 10,
          fillPct: s.t >= 6 && s.t < 9 ? 90 : 1,
        })),
      },
      a2: {
        channelFill: series.filter((s) => s.t < 6 || s.t >= 9).map((s) => ({ t: s.t, size: 0, fillPct: 0 })),
      },
    },
  };
  if (o.old) {
    delete r.nodes;
    delete r.latency.distribution;
  }
  return r;
}

export const SCENARIO_YAML = `# the scenario as run
name: synthetic-crash
description: "${HOSTILE} in the description"
seed: 7
engine: agent
topology:
  agents:
    a1: { channel: { type: memory, capacity: 1000 }, sinks: [a2] }
    a2: { channel: { type: memory, capacity: 1000 }, sinks: [collector] }
  collectors: { collector: {} }
workload: { rate: 1000/s, producers: 1, warmup: 2s, duration: 16s, drain: 2s }
faults:
  - { name: "stall ${HOSTILE}", kind: pause, node: a2, at: 6s, for: 3s }
  - { name: kill-a1, kind: kill, node: a1, at: 8s, restartAfter: 2s }
`;

/** Sampler ops for a history: what an old results.json's channel fill is rebuilt from. */
export function sampleOps(): Op[] {
  return Array.from({ length: 10 }, (_, t) => ({
    t: t * 1_000_000 + 5000,
    process: "sampler" as const,
    type: "info" as const,
    f: "sample" as const,
    node: "a1",
    metrics: { channelSize: t * 10, channelFillPercentage: t },
  }));
}

export function writeRunDir(
  dir: string,
  results: Results,
  o: { scenarioYaml?: string; history?: Op[]; logs?: Record<string, string> } = {},
): string {
  mkdirSync(join(dir, "logs"), { recursive: true });
  mkdirSync(join(dir, "config"), { recursive: true });
  writeFileSync(join(dir, "results.json"), JSON.stringify(results, null, 2));
  if (o.scenarioYaml !== undefined) writeFileSync(join(dir, "scenario.yaml"), o.scenarioYaml);
  writeFileSync(
    join(dir, "history.ndjson"),
    (o.history ?? []).map((op) => `${JSON.stringify(op)}\n`).join(""),
  );
  for (const [n, text] of Object.entries(o.logs ?? { a1: `started\n${HOSTILE_LOG}\n` }))
    writeFileSync(join(dir, "logs", `${n}.log`), text);
  writeFileSync(join(dir, "config", "a1.properties"), `a1.sources = r1\n# ${HOSTILE}\n`);
  return dir;
}
