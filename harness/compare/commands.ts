/**
 * The gate's commands, kept out of cli.ts: `baseline save`, `compare`, `noise`, and what
 * `run --repeat/--baseline` does after its runs. Each returns the CLI exit code: 0 no regression,
 * 1 a regression (or a failed check), 2 bad input, 3 a broken run.
 */

import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { orderedRows, pct, pText, summaryLine, value } from "../../reports/gate/rows.ts";
import { writeGate } from "../../reports/gate/write-gate.ts";
import { writeTrend } from "../../reports/trend/build-trend.ts";
import { completeHistograms, loadSampleSet } from "../baseline/sample-set.ts";
import { saveBaseline } from "../baseline/save.ts";
import { FaultbenchError } from "../errors.ts";
import type { ScenarioAggregate } from "../repeat/aggregate.ts";
import { NOISE_DIR, noiseMarkdown, noiseRecord, readNoise, storeNoise } from "../repeat/noise.ts";
import { runRepeats } from "../repeat/run-repeats.ts";
import { compareSets, sameMachineClass } from "./compare.ts";

export interface CompareCliOptions {
  out?: string;
  strictEnv?: boolean;
  alpha?: number;
  noiseDir?: string;
  baselinesDir?: string;
}

export async function baselineSaveCommand(
  source: string,
  opts: { name: string; baselinesDir?: string },
): Promise<number> {
  const saved = await saveBaseline(source, opts.name, opts.baselinesDir);
  const list = Object.entries(saved.scenarios)
    .map(([s, n]) => `${s} ×${n}`)
    .join(", ");
  process.stdout.write(`saved baseline "${opts.name}": ${saved.runs} run(s) (${list})\n${saved.dir}\n`);
  return 0;
}

export async function compareCommand(
  baseArg: string,
  candArg: string,
  opts: CompareCliOptions = {},
): Promise<number> {
  const baseline = loadSampleSet(baseArg, opts.baselinesDir);
  const candidate = loadSampleSet(candArg, opts.baselinesDir);
  if (opts.strictEnv && !sameMachineClass(baseline.environment, candidate.environment))
    throw new FaultbenchError(
      "FB_USAGE",
      `--strict-env: the baseline ran on ${baseline.environment?.cpus} × ${baseline.environment?.cpu}, the candidate on ${candidate.environment?.cpus} × ${candidate.environment?.cpu}; save a baseline on this machine class or drop --strict-env`,
    );
  await completeHistograms(baseline);
  await completeHistograms(candidate);
  const c = compareSets(baseline, candidate, {
    ...(opts.alpha === undefined ? {} : { alpha: opts.alpha }),
    noise: (s) => {
      const n = readNoise(s, opts.noiseDir ?? NOISE_DIR);
      return n?.robustCv ?? n?.cv;
    },
  });
  if (c.scenarios.length === 0)
    throw new FaultbenchError(
      "FB_USAGE",
      `no scenario in common: the baseline has ${[...baseline.scenarios.keys()].join(", ")}; the candidate ${[...candidate.scenarios.keys()].join(", ")}`,
    );
  const files = await writeGate(c, opts.out ?? candidate.dir);
  for (const w of c.warnings) process.stderr.write(`faultbench: warning: ${w}\n`);
  for (const s of c.scenarios)
    for (const w of s.warnings) process.stderr.write(`faultbench: warning: ${s.scenario}: ${w}\n`);
  process.stdout.write(`${summaryLine(c)}\n`);
  for (const f of orderedRows(c).filter((x) => x.verdict === "regression" || x.verdict === "improvement"))
    process.stdout.write(
      `  ${f.verdict.padEnd(11)} ${f.scenario} ${f.spec.label}: ${value(f, f.base.median)} → ${value(f, f.cand.median)} (${pct(f.change)}, p ${pText(f.p)})\n`,
    );
  process.stdout.write(`  ${files.markdown}\n  ${files.junit}\n  ${files.benchmark}\n  ${files.html}\n`);
  return c.exitCode;
}

/** After `run --repeat N` (or --baseline): the aggregate, then the comparison when asked. */
export async function afterRuns(
  dir: string,
  runCode: number,
  opts: CompareCliOptions & { baseline?: string },
): Promise<number> {
  if (opts.baseline === undefined) return runCode;
  process.stdout.write(`\ncomparing with baseline ${opts.baseline}\n`);
  const code = await compareCommand(opts.baseline, dir, opts);
  // A broken run outranks a regression, which outranks a failed expectation.
  return runCode === 3 || code === 3 ? 3 : code === 1 || runCode === 1 ? 1 : 0;
}

export async function noiseCommand(
  repeats: number,
  label: string,
  outDir: string,
  runOnce: (suiteDir: string) => Promise<number>,
  noiseDir = NOISE_DIR,
): Promise<number> {
  const set = await runRepeats(repeats, outDir, `noise-${label}`, runOnce);
  const loaded = loadSampleSet(set.dir);
  const records = [...loaded.scenarios.entries()].map(([name, runs]) =>
    noiseRecord(
      name,
      set.aggregate[name] as ScenarioAggregate,
      set.noise[name] ?? {},
      runs[0]?.results.environment ?? null,
      set.dir,
    ),
  );
  const md = noiseMarkdown(records);
  writeFileSync(join(set.dir, "noise.md"), md);
  process.stdout.write(
    `\nA/A noise over ${repeats} repeats (coefficient of variation of each key figure):\n\n${md}\n`,
  );
  for (const r of records) process.stdout.write(`stored: ${storeNoise(r, noiseDir)}\n`);
  process.stdout.write(`${join(set.dir, "noise.md")}\n`);
  return set.code;
}

export function trendCommand(dir: string, opts: { out?: string }): number {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new FaultbenchError(
      "FB_RUN_DIR",
      `${dir}: no such directory; give a folder of runs (e.g. reports/runs)`,
    );
  const { out, points } = writeTrend(dir, opts);
  const flagged = points.filter((p) => p.changed);
  const commits = new Set(points.map((p) => p.commit)).size;
  process.stdout.write(`${commits} commit(s), ${flagged.length} change point(s)\n`);
  for (const p of flagged)
    process.stdout.write(
      `  change point: ${p.scenario} ${p.figure} = ${p.value} at ${p.commit.slice(0, 10)} (z ${p.z?.toFixed(1)})\n`,
    );
  process.stdout.write(`${out}\n`);
  return 0;
}
