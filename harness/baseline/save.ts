/**
 * `faultbench baseline save`: keeps a compact copy of a run, suite or repeat set under
 * reports/baselines/<name>/ — per run its results.json (with the HDR histograms in compressed
 * form) and scenario.yaml, without the history or logs — plus baseline.json with the environment
 * and git commit it was measured on. Saving again under the same name replaces the old copy.
 */

import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FaultbenchError } from "../errors.ts";
import { BASELINES_DIR, completeHistograms, loadSampleSet } from "./sample-set.ts";

export interface SavedBaseline {
  dir: string;
  scenarios: Record<string, number>;
  runs: number;
}

export async function saveBaseline(
  source: string,
  name: string,
  baselinesDir = BASELINES_DIR,
): Promise<SavedBaseline> {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith("."))
    throw new FaultbenchError(
      "FB_USAGE",
      `--name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-" (e.g. main)`,
    );
  if (!existsSync(source))
    throw new FaultbenchError(
      "FB_RUN_DIR",
      `${source}: no such directory; give a run, suite or repeat-set directory`,
    );
  const set = loadSampleSet(source, baselinesDir);
  await completeHistograms(set);
  const dir = join(baselinesDir, name);
  const tmp = `${dir}.saving-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const runs: string[] = [];
  const scenarios: Record<string, number> = {};
  for (const [scenario, list] of set.scenarios) {
    scenarios[scenario] = list.length;
    list.forEach((run, i) => {
      const rel = join(safe(scenario), `repeat-${i + 1}`);
      mkdirSync(join(tmp, rel), { recursive: true });
      writeFileSync(join(tmp, rel, "results.json"), `${JSON.stringify(run.results)}\n`);
      if (existsSync(join(run.dir, "scenario.yaml")))
        cpSync(join(run.dir, "scenario.yaml"), join(tmp, rel, "scenario.yaml"));
      runs.push(rel);
    });
  }
  writeFileSync(
    join(tmp, "baseline.json"),
    `${JSON.stringify(
      {
        name,
        savedAt: new Date().toISOString(),
        source: resolve(set.dir),
        gitCommit: set.gitCommit,
        environment: set.environment,
        scenarios,
        runs,
      },
      null,
      2,
    )}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, scenarios, runs: runs.length };
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}
