/**
 * Synthetic repeats for the gate's tests: results.json of a quiet scenario whose figures are drawn
 * around known centres with a known spread (seeded), with real HDR histograms behind the latency
 * figures, so a planted shift has a known answer.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunSample, SampleSet } from "../../harness/baseline/sample-set.ts";
import { seededRandom } from "../../harness/generator/random.ts";
import { LatencyHistogram } from "../../harness/metrics/histogram.ts";
import type { Results } from "../../harness/results/types.ts";

export interface SampleOptions {
  scenario?: string;
  /** Centre of the end-to-end and publish latency (ms). */
  latencyMs?: number;
  /** Added to every latency sample (ms): a planted delay. */
  plantedMs?: number;
  throughput?: number;
  /** Relative noise of each repeat's figures (0.03 = ±3%). */
  noise?: number;
  lost?: number;
  status?: Results["status"];
  checks?: Results["checks"];
  cpu?: string;
  faults?: Results["faults"];
}

export function gateResults(seed: number, o: SampleOptions = {}): Results {
  const random = seededRandom(seed);
  const noise = o.noise ?? 0.03;
  const jitter = () => 1 + (random() * 2 - 1) * noise;
  const centre = (o.latencyMs ?? 4) * jitter();
  const planted = (o.plantedMs ?? 0) * 1000;
  const e2e = new LatencyHistogram();
  const pub = new LatencyHistogram();
  for (let i = 0; i < 2000; i++) {
    // A right-skewed latency: most near the centre, a tail ten times out.
    const tail = random() < 0.02 ? 10 : 1;
    const us = centre * 1000 * (0.5 + random()) * tail;
    e2e.record(us + planted);
    pub.record(us * 0.8 + planted);
  }
  const tp = (o.throughput ?? 3000) * jitter();
  const lost = o.lost ?? 0;
  const p = (h: LatencyHistogram) => ({ ...h.percentiles(), corrected: h.percentiles() });
  return {
    schemaVersion: 1,
    scenario: o.scenario ?? "quiet",
    description: "synthetic",
    engine: "agent",
    seed: 1,
    status: o.status ?? (lost > 0 ? "failed" : "passed"),
    ...(o.status === "errored" ? { error: { code: "FB_ENGINE_CRASHED", message: "a1 crashed" } } : {}),
    startedAt: "2026-01-01T00:00:00.000Z",
    environment: {
      node: "v20",
      os: "Linux",
      cpu: o.cpu ?? "test cpu",
      cpus: 2,
      memoryGiB: 4,
      gitCommit: "abc",
      faultbench: "0.1.0",
    },
    window: { warmupMs: 1000, measureStartMs: 1000, measureEndMs: 7000, drainedAtMs: 8000 },
    throughput: { offeredPerSec: 3000, sentPerSec: 3000, ackedPerSec: tp, deliveredPerSec: tp },
    latency: { publish: p(pub), endToEnd: p(e2e) },
    delivery: {
      attempted: 18000,
      acked: 18000,
      failed: 0,
      indeterminate: 0,
      delivered: 18000 - lost,
      lost,
      duplicated: 0,
      duplicateDeliveries: 0,
      unexpected: 0,
      recovered: 0,
      failedButDelivered: 0,
    },
    faults: o.faults ?? [],
    checks: o.checks ?? [{ name: "delivery", valid: lost === 0, detail: `lost ${lost}` }],
    series: [],
    deliveredBy: {},
    histograms: {
      publish: { uncorrected: pub.encode(), corrected: pub.encode() },
      endToEnd: { uncorrected: e2e.encode(), corrected: e2e.encode() },
    },
  };
}

export function runsOf(n: number, seed: number, o: SampleOptions = {}): RunSample[] {
  return Array.from({ length: n }, (_, i) => ({
    results: gateResults(seed * 1000 + i, o),
    dir: `/nowhere/${o.scenario ?? "quiet"}-${seed}-${i}`,
    report: null,
    scenario: null,
  }));
}

export function setOf(runs: RunSample[], dir = "/nowhere"): SampleSet {
  const scenarios = new Map<string, RunSample[]>();
  for (const r of runs) scenarios.set(r.results.scenario, [...(scenarios.get(r.results.scenario) ?? []), r]);
  return {
    kind: "repeats",
    dir,
    scenarios,
    environment: runs[0]?.results.environment ?? null,
    gitCommit: "abc",
  };
}

/** Writes runs as a repeat set on disk (repeats.json → repeat-i/suite.json → run dirs). */
export function writeRepeatSet(dir: string, perRepeat: Results[][]): string {
  mkdirSync(dir, { recursive: true });
  const repeats = perRepeat.map((runs, i) => {
    const sub = `repeat-${i + 1}`;
    const entries = runs.map((r) => {
      const runDir = `run-${r.scenario}`;
      mkdirSync(join(dir, sub, runDir), { recursive: true });
      writeFileSync(join(dir, sub, runDir, "results.json"), JSON.stringify(r));
      writeFileSync(join(dir, sub, runDir, "scenario.yaml"), `name: ${r.scenario}\n`);
      writeFileSync(join(dir, sub, runDir, "history.ndjson"), "");
      return { scenario: r.scenario, runDir };
    });
    writeFileSync(join(dir, sub, "suite.json"), JSON.stringify(entries));
    return { repeat: i + 1, dir: sub, exitCode: 0 };
  });
  writeFileSync(join(dir, "repeats.json"), JSON.stringify({ requested: repeats.length, repeats }));
  return dir;
}
