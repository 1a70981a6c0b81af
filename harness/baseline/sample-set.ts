/**
 * A sample set: every run of every scenario that one directory holds, grouped by scenario, the
 * unit both sides of a comparison are made of. It reads a run directory (one run), a suite
 * directory (suite.json: one run per scenario), a repeat set (repeats.json: a suite per repeat),
 * or a saved baseline (baseline.json). A name that is not a directory is looked up among the saved
 * baselines. Runs made before results.json carried its histograms get them from history.ndjson.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { FaultbenchError } from "../errors.ts";
import { readHistory } from "../history/reader.ts";
import type { Environment, Results } from "../results/types.ts";
import { analyze } from "../run/analyze.ts";
import { scenarioFromText } from "../scenario/load.ts";

export interface RunSample {
  results: Results;
  /** The run (or saved run) directory. */
  dir: string;
  /** The run's report page, when there is one. */
  report: string | null;
  /** scenario.yaml as run, parsed; null when absent. */
  scenario: Record<string, unknown> | null;
}

export interface SampleSet {
  kind: "run" | "suite" | "repeats" | "baseline";
  dir: string;
  /** Scenario name → its runs, in repeat order. */
  scenarios: Map<string, RunSample[]>;
  environment: Environment | null;
  gitCommit: string | null;
}

export const BASELINES_DIR = join("reports", "baselines");

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FaultbenchError("FB_RUN_DIR", `${file}: not readable JSON (${(e as Error).message})`);
  }
}

function readRun(dir: string): RunSample {
  const file = join(dir, "results.json");
  const r = readJson(file) as Results;
  if (typeof r !== "object" || r === null || r.schemaVersion !== 1)
    throw new FaultbenchError("FB_RUN_DIR", `${file}: not a faultbench results.json (schemaVersion 1)`);
  const yamlPath = join(dir, "scenario.yaml");
  let scenario: Record<string, unknown> | null = null;
  if (existsSync(yamlPath)) {
    try {
      const v = parse(readFileSync(yamlPath, "utf8"));
      if (typeof v === "object" && v !== null) scenario = v as Record<string, unknown>;
    } catch {
      scenario = null;
    }
  }
  const report = join(dir, "report.html");
  return { results: r, dir, report: existsSync(report) ? report : null, scenario };
}

/** Runs listed by a suite.json (entries with a runDir relative to the suite). */
function suiteRuns(dir: string): RunSample[] {
  const list = readJson(join(dir, "suite.json"));
  if (!Array.isArray(list)) throw new FaultbenchError("FB_RUN_DIR", `${dir}/suite.json: not a list of runs`);
  return list
    .map((e) => (e as { runDir?: unknown }).runDir)
    .filter((d): d is string => typeof d === "string" && existsSync(join(dir, d, "results.json")))
    .map((d) => readRun(join(dir, d)));
}

/**
 * Resolves a baseline name or a directory; bad input (exit 2) when it is neither. A plain name
 * (no slash) means the saved baseline when one exists — write ./name for a folder of that name.
 */
export function resolveSetDir(arg: string, baselinesDir = BASELINES_DIR): string {
  const plain = /^[A-Za-z0-9._-]+$/.test(arg) && arg !== "." && arg !== "..";
  const named = join(baselinesDir, arg);
  if (plain && existsSync(join(named, "baseline.json"))) return named;
  if (existsSync(arg) && statSync(arg).isDirectory()) return arg;
  throw new FaultbenchError(
    "FB_RUN_DIR",
    `${arg}: neither a directory nor a saved baseline (looked in ${resolve(baselinesDir)}); save one with \`faultbench baseline save <run-or-suite-dir> --name ${plain ? arg : "main"}\``,
  );
}

export function loadSampleSet(arg: string, baselinesDir = BASELINES_DIR): SampleSet {
  const dir = resolveSetDir(arg, baselinesDir);
  let kind: SampleSet["kind"];
  let runs: RunSample[];
  if (existsSync(join(dir, "baseline.json"))) {
    kind = "baseline";
    const meta = readJson(join(dir, "baseline.json")) as { runs?: unknown };
    if (!Array.isArray(meta.runs))
      throw new FaultbenchError("FB_RUN_DIR", `${dir}/baseline.json: no runs listed`);
    runs = meta.runs.filter((d): d is string => typeof d === "string").map((d) => readRun(join(dir, d)));
  } else if (existsSync(join(dir, "repeats.json"))) {
    kind = "repeats";
    const meta = readJson(join(dir, "repeats.json")) as { repeats?: { dir?: unknown }[] };
    if (!Array.isArray(meta.repeats))
      throw new FaultbenchError("FB_RUN_DIR", `${dir}/repeats.json: no repeats listed`);
    runs = meta.repeats
      .map((r) => r.dir)
      .filter((d): d is string => typeof d === "string" && existsSync(join(dir, d, "suite.json")))
      .flatMap((d) => suiteRuns(join(dir, d)));
  } else if (existsSync(join(dir, "suite.json"))) {
    kind = "suite";
    runs = suiteRuns(dir);
  } else if (existsSync(join(dir, "results.json"))) {
    kind = "run";
    runs = [readRun(dir)];
  } else {
    throw new FaultbenchError(
      "FB_RUN_DIR",
      `${dir}: not a run directory (results.json), a suite (suite.json), a repeat set (repeats.json) or a baseline (baseline.json)`,
    );
  }
  if (runs.length === 0) throw new FaultbenchError("FB_RUN_DIR", `${dir}: holds no finished runs`);
  const scenarios = new Map<string, RunSample[]>();
  for (const r of runs) {
    const list = scenarios.get(r.results.scenario) ?? [];
    list.push(r);
    scenarios.set(r.results.scenario, list);
  }
  const environment = runs[0]?.results.environment ?? null;
  return { kind, dir, scenarios, environment, gitCommit: environment?.gitCommit ?? null };
}

/** Gives every run its histograms, from history.ndjson when results.json predates them. */
export async function completeHistograms(set: SampleSet): Promise<void> {
  for (const runs of set.scenarios.values()) {
    for (const run of runs) {
      if (run.results.histograms) continue;
      const history = join(run.dir, "history.ndjson");
      const yaml = join(run.dir, "scenario.yaml");
      if (!existsSync(history) || !existsSync(yaml)) continue;
      try {
        const a = analyze(await readHistory(history), scenarioFromText(readFileSync(yaml, "utf8"), yaml));
        if (a.histograms) run.results.histograms = a.histograms;
      } catch {
        // A run this version cannot re-read: it is compared by its summary figures only.
      }
    }
  }
}
