/**
 * Reads what a report needs from a run directory: results.json (required; it holds the verdict),
 * and, when present, scenario.yaml, config/ and the tails of logs/. A results.json written before
 * the additive fields existed is completed from history.ndjson: channel fill from the sampler ops,
 * and (with scenario.yaml) the latency percentile curves by re-running the analysis. The stored
 * verdict and figures are never replaced: the report shows what the run concluded.
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { FaultbenchError } from "../harness/errors.ts";
import { readHistory } from "../harness/history/reader.ts";
import { channelFillSeries } from "../harness/metrics/channel-fill.ts";
import type { Results } from "../harness/results/types.ts";
import { analyze } from "../harness/run/analyze.ts";
import { scenarioFromText } from "../harness/scenario/load.ts";

/** At most this much of each log's end goes into a report. */
export const LOG_TAIL_BYTES = 24 * 1024;

export interface TextFile {
  name: string;
  text: string;
  /** True when only the end of the file is included. */
  truncated: boolean;
}

export interface RunData {
  dir: string;
  results: Results;
  /** scenario.yaml as written, and parsed (for the design matrix); undefined when absent. */
  scenarioText?: string;
  scenario?: Record<string, unknown>;
  configs: TextFile[];
  logs: TextFile[];
}

export function readResults(dir: string): Results {
  const file = join(dir, "results.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new FaultbenchError("FB_RUN_DIR", `${dir}: not a run directory (no results.json)`);
  }
  let r: Results;
  try {
    r = JSON.parse(text) as Results;
  } catch {
    throw new FaultbenchError("FB_RUN_DIR", `${file}: not valid JSON`);
  }
  if (typeof r !== "object" || r === null || r.schemaVersion !== 1 || !Array.isArray(r.series)) {
    throw new FaultbenchError("FB_RUN_DIR", `${file}: not a faultbench results.json (schemaVersion 1)`);
  }
  return r;
}

function tail(file: string, name: string): TextFile {
  const size = statSync(file).size;
  const buf = readFileSync(file);
  if (size <= LOG_TAIL_BYTES) return { name, text: buf.toString("utf8"), truncated: false };
  const text = buf.subarray(size - LOG_TAIL_BYTES).toString("utf8");
  // Start at a whole line.
  return { name, text: text.slice(text.indexOf("\n") + 1), truncated: true };
}

function filesIn(dir: string, sub: string): TextFile[] {
  const d = join(dir, sub);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .sort()
    .filter((f) => statSync(join(d, f)).isFile())
    .map((f) => tail(join(d, f), `${sub}/${f}`));
}

/**
 * Loads a run directory. `results`, when given (right after a run), is used instead of reading
 * results.json back.
 */
export async function loadRun(dir: string, results?: Results): Promise<RunData> {
  const r = results ?? readResults(dir);
  const scenarioPath = join(dir, "scenario.yaml");
  const scenarioText = existsSync(scenarioPath) ? readFileSync(scenarioPath, "utf8") : undefined;
  let scenario: Record<string, unknown> | undefined;
  try {
    const v = scenarioText === undefined ? undefined : parse(scenarioText);
    if (typeof v === "object" && v !== null) scenario = v as Record<string, unknown>;
  } catch {
    scenario = undefined;
  }
  await complete(dir, r, scenarioText, scenarioPath);
  return {
    dir,
    results: r,
    ...(scenarioText === undefined ? {} : { scenarioText }),
    ...(scenario === undefined ? {} : { scenario }),
    configs: filesIn(dir, "config"),
    logs: filesIn(dir, "logs"),
  };
}

/** Fills the additive fields an older results.json lacks, from the history. */
async function complete(
  dir: string,
  r: Results,
  scenarioText: string | undefined,
  scenarioPath: string,
): Promise<void> {
  if (r.nodes !== undefined && r.latency.distribution !== undefined) return;
  const historyPath = join(dir, "history.ndjson");
  if (!existsSync(historyPath)) return;
  const ops = await readHistory(historyPath);
  if (r.nodes === undefined) r.nodes = channelFillSeries(ops);
  if (r.latency.distribution === undefined && scenarioText !== undefined) {
    try {
      r.latency.distribution = analyze(
        ops,
        scenarioFromText(scenarioText, scenarioPath),
      ).latency.distribution;
    } catch {
      // A scenario this version cannot read: the plot falls back to the summary percentiles.
    }
  }
}
