/**
 * `run --repeat N`: the same scenarios N times, each repeat a full suite directory of its own
 * (fresh engine processes, fresh data directories, fresh ports), under one repeat-set directory
 * with repeats.json (which repeat is where, and how it ended) and aggregate.json (every figure of
 * every scenario over the repeats). The seed stays the same, so the repeats differ only by what
 * the machine did: that spread is the noise a regression has to stand out from.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSampleSet } from "../baseline/sample-set.ts";
import { timestamp } from "../run/run-dir.ts";
import {
  aggregateSet,
  aggregateText,
  type FigureNoise,
  keyFigureNoise,
  type ScenarioAggregate,
} from "./aggregate.ts";

export interface RepeatSet {
  dir: string;
  /** 0 every run passed, 1 some run failed its checks, 3 some run broke or the set was interrupted. */
  code: number;
  aggregate: Record<string, ScenarioAggregate>;
  noise: Record<string, Record<string, FigureNoise>>;
}

export async function runRepeats(
  repeats: number,
  outDir: string,
  label: string,
  runOnce: (suiteDir: string) => Promise<number>,
): Promise<RepeatSet> {
  const dir = join(outDir, `${timestamp()}-${label}-x${repeats}`);
  mkdirSync(dir, { recursive: true });
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const done: { repeat: number; dir: string; exitCode: number }[] = [];
  const write = () =>
    writeFileSync(
      join(dir, "repeats.json"),
      `${JSON.stringify({ requested: repeats, repeats: done }, null, 2)}\n`,
    );
  try {
    for (let i = 1; i <= repeats && !interrupted; i++) {
      process.stdout.write(`── repeat ${i} of ${repeats} ──\n`);
      const sub = `repeat-${i}`;
      const code = await runOnce(join(dir, sub));
      done.push({ repeat: i, dir: sub, exitCode: code });
      write();
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const set = loadSampleSet(dir);
  const aggregate = aggregateSet(set);
  const noise: RepeatSet["noise"] = {};
  for (const [name, runs] of set.scenarios)
    noise[name] = keyFigureNoise(
      runs.map((r) => r.results),
      aggregate[name] as ScenarioAggregate,
    );
  writeFileSync(
    join(dir, "aggregate.json"),
    `${JSON.stringify({ repeats: done.length, scenarios: aggregate, keyFigureNoise: noise }, null, 2)}\n`,
  );
  process.stdout.write(`\nover ${done.length} repeats:\n${aggregateText(aggregate, noise)}`);
  const codes = done.map((d) => d.exitCode);
  const code = interrupted || codes.includes(3) ? 3 : codes.some((c) => c !== 0) ? 1 : 0;
  return { dir, code, aggregate, noise };
}
