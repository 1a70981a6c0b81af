/**
 * The results step: read back the history the run wrote, analyze it, and assemble results.json's
 * object — status `errored` (with the error) when the run itself broke, otherwise passed or failed
 * by the checks.
 */

import { join } from "node:path";
import { requiredFaultsMissing } from "../checkers/fault-applied.ts";
import { FaultbenchError, isFaultbenchError } from "../errors.ts";
import { readHistory } from "../history/reader.ts";
import type { Results, RunStatus } from "../results/types.ts";
import type { Scenario } from "../scenario/load.ts";
import { allHeld, analyze } from "./analyze.ts";
import { captureEnvironment } from "./environment.ts";

export interface ResultsInput {
  runDir: string;
  scenario: Scenario;
  startedAt: Date;
  projectRoot: string;
  /** What broke the run, if anything. */
  failure?: unknown;
}

export async function buildResults(o: ResultsInput): Promise<Results> {
  const { scenario } = o;
  const ops = await readHistory(join(o.runDir, "history.ndjson"));
  const analysis = analyze(ops, scenario);
  const status: RunStatus = allHeld(analysis.checks) ? "passed" : "failed";
  const results: Results = {
    schemaVersion: 1,
    scenario: scenario.name,
    description: scenario.description.trim(),
    engine: scenario.engine,
    seed: scenario.seed,
    status,
    startedAt: o.startedAt.toISOString(),
    environment: captureEnvironment(o.projectRoot),
    ...analysis,
  };
  // A fault that did not happen means the run did not test what it says (exit 3).
  const missing = requiredFaultsMissing(analysis.faults);
  const failure = o.failure ?? (missing ? new FaultbenchError("FB_FAULT_NOT_APPLIED", missing) : undefined);
  if (failure !== undefined) {
    const f = failure;
    results.status = "errored";
    results.error = isFaultbenchError(f)
      ? { code: f.code, message: f.message }
      : { code: "FB_INTERNAL", message: String((f as Error)?.stack ?? f) };
  }
  return results;
}
