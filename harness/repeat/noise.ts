/**
 * `faultbench noise`: an A/A measurement. The same scenario N times on this machine; the
 * coefficient of variation of each key figure is what a regression must stand out from. It is
 * stored (reports/noise/<scenario>.json) so later compares scale their thresholds by it, and
 * printed as a table (noise.md beside the repeats).
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Environment } from "../results/types.ts";
import type { FigureNoise, ScenarioAggregate } from "./aggregate.ts";

export const NOISE_DIR = join("reports", "noise");

export interface NoiseRecord {
  scenario: string;
  repeats: number;
  measuredAt: string;
  environment: Environment | null;
  source: string;
  /** CV (stdev / mean) of each key figure, null where its mean was 0. */
  cv: Record<string, number | null>;
  /** Robust CV (1.4826·MAD / median), what thresholds are scaled by. */
  robustCv: Record<string, number | null>;
  median: Record<string, number>;
}

function fileOf(dir: string, scenario: string): string {
  return join(dir, `${scenario.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
}

export function storeNoise(rec: NoiseRecord, dir = NOISE_DIR): string {
  mkdirSync(dir, { recursive: true });
  const f = fileOf(dir, rec.scenario);
  writeFileSync(f, `${JSON.stringify(rec, null, 2)}\n`);
  return f;
}

export function readNoise(scenario: string, dir = NOISE_DIR): NoiseRecord | undefined {
  const f = fileOf(dir, scenario);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, "utf8")) as NoiseRecord;
  } catch {
    return undefined;
  }
}

export function noiseRecord(
  scenario: string,
  agg: ScenarioAggregate,
  noise: Record<string, FigureNoise>,
  environment: Environment | null,
  source: string,
): NoiseRecord {
  const median: Record<string, number> = {};
  const cv: Record<string, number | null> = {};
  const robustCv: Record<string, number | null> = {};
  for (const [path, n] of Object.entries(noise)) {
    const m = agg.figures[path]?.median;
    if (m !== undefined && Number.isFinite(m)) median[path] = m;
    cv[path] = n.cv;
    robustCv[path] = n.robustCv;
  }
  return {
    scenario,
    repeats: agg.runs,
    measuredAt: new Date().toISOString(),
    environment,
    source,
    cv,
    robustCv,
    median,
  };
}

export function noiseMarkdown(records: readonly NoiseRecord[]): string {
  const lines = [
    "| scenario | figure | median | CV | robust CV | repeats |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  const pc = (x: number | null | undefined) =>
    x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`;
  for (const r of records)
    for (const [path, cv] of Object.entries(r.cv)) {
      const m = r.median[path];
      lines.push(
        `| ${r.scenario} | ${path} | ${m === undefined ? "—" : Number(m.toPrecision(4))} | ${pc(cv)} | ${pc(r.robustCv?.[path])} | ${r.repeats} |`,
      );
    }
  return `${lines.join("\n")}\n`;
}
