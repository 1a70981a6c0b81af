/**
 * Run directories: `<out>/<timestamp>-<scenario>/` holding scenario.yaml (as resolved),
 * history.ndjson, results.json, logs/ and, when reports land, report.html.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { stringify } from "yaml";
import type { Results } from "../results/types.ts";

export function timestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/:/g, "-");
}

export function createRunDir(outDir: string, name: string, when = new Date()): string {
  let dir = join(outDir, `${timestamp(when)}-${name}`);
  for (let i = 2; ; i++) {
    try {
      mkdirSync(dir, { recursive: false });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        mkdirSync(outDir, { recursive: true });
        i--;
        continue;
      }
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      dir = join(outDir, `${timestamp(when)}-${name}-${i}`);
    }
  }
  mkdirSync(join(dir, "logs"));
  return dir;
}

export function writeScenarioCopy(dir: string, raw: Record<string, unknown>): void {
  writeFileSync(
    join(dir, "scenario.yaml"),
    `# the scenario as run, with command-line overrides applied\n${stringify(raw)}`,
  );
}

export function writeResults(dir: string, results: Results): void {
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
}

/** One line of suite.json per run: the figures the suite summary and index read first. */
export interface SuiteEntry {
  scenario: string;
  status: Results["status"];
  /** Relative to the suite directory. */
  runDir: string;
  ackedPerSec: number;
  endToEndP99: number;
  lost: number;
  duplicated: number;
  /** null when there were no faults, or when one of them never recovered. */
  worstRecoveryMs: number | null;
}

export function suiteEntry(suiteDir: string, runDir: string, r: Results): SuiteEntry {
  return {
    scenario: r.scenario,
    status: r.status,
    runDir: relative(suiteDir, runDir),
    ackedPerSec: r.throughput.ackedPerSec,
    endToEndP99: r.latency.endToEnd.corrected.p99,
    lost: r.delivery.lost,
    duplicated: r.delivery.duplicated,
    worstRecoveryMs:
      r.faults.length === 0 || r.faults.some((f) => f.recoveryMs === null)
        ? null
        : Math.max(...r.faults.map((f) => f.recoveryMs as number)),
  };
}

/** Writes `<suiteDir>/suite.json`, the runs of one `faultbench run` over several scenarios. */
export function writeSuite(suiteDir: string, runs: readonly { runDir: string; results: Results }[]): void {
  const entries = runs.map(({ runDir, results }) => suiteEntry(suiteDir, runDir, results));
  writeFileSync(join(suiteDir, "suite.json"), `${JSON.stringify(entries, null, 2)}\n`);
}
