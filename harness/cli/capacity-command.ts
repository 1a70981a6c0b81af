/**
 * `faultbench capacity <scenario> --slo …`: the highest load that holds every SLO, found by real
 * runs (harness/capacity). Prints each step as it ends, then the answer (or why there is none),
 * and writes capacity.json and capacity.html beside the steps' run directories.
 */

import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { writeCapacityReport } from "../../reports/build-capacity.ts";
import { writeReport } from "../../reports/build-report.ts";
import { describeOptions, formatLevel, knobOf, runCapacity } from "../capacity/run-capacity.ts";
import { DEFAULT_SLOS, parseSlo } from "../capacity/slo.ts";
import type { CapacityResult } from "../capacity/types.ts";
import { FaultbenchError } from "../errors.ts";
import { timestamp } from "../run/run-dir.ts";
import { loadScenario } from "../scenario/load.ts";

export interface CapacityCliOptions {
  slo: string[];
  out: string;
  seed?: number;
  duration?: number;
  start?: number;
  factor: number;
  precision: number;
  maxSteps: number;
  runsPerStep: number;
  repeat: number;
  repeatOrder: "interleaved" | "sequential";
}

export async function capacityCommand(
  file: string,
  opts: CapacityCliOptions,
  projectRoot: string,
): Promise<number> {
  const slos = (opts.slo.length > 0 ? opts.slo : DEFAULT_SLOS).map(parseSlo);
  if (!(opts.runsPerStep >= 1))
    throw new FaultbenchError("FB_USAGE", "--runs-per-step must be at least 1, e.g. 3");
  if (!(opts.factor > 1)) throw new FaultbenchError("FB_USAGE", "--factor must be more than 1, e.g. 2");
  if (!(opts.precision > 0 && opts.precision < 1))
    throw new FaultbenchError("FB_USAGE", "--precision is a percentage between 0 and 100, e.g. 2%");
  const scenario = await loadScenario(relative(process.cwd(), file) || file, {
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.duration === undefined ? {} : { durationMs: opts.duration }),
  });
  if (scenario.faults.length > 0)
    process.stderr.write(
      `faultbench: note: ${scenario.name} injects faults; each step runs them too (capacity under faults)\n`,
    );
  const dir = join(opts.out, `${timestamp()}-capacity-${scenario.name}`);
  mkdirSync(dir, { recursive: true });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write("\ninterrupted: stopping the current step and keeping what was measured\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  const { knob } = knobOf(scenario);
  process.stdout.write(
    `capacity of ${scenario.name} (${scenario.engine}); SLOs: ${slos.map((s) => s.source).join(", ")}, and keeps up\n`,
  );
  let result: CapacityResult | undefined;
  try {
    let header = false;
    result = await runCapacity({
      scenario,
      slos,
      search: {
        ...(opts.start === undefined ? {} : { start: opts.start }),
        factor: opts.factor,
        precision: opts.precision,
        maxSteps: opts.maxSteps,
        runsPerStep: opts.runsPerStep,
      },
      repeat: opts.repeat,
      order: opts.repeatOrder,
      dir,
      projectRoot,
      signal: controller.signal,
      onRun: async (runDir, results) => {
        try {
          await writeReport(runDir, { results });
        } catch (e) {
          process.stderr.write(`faultbench: warning: no report for ${runDir}: ${(e as Error).message}\n`);
        }
      },
      onStep: (st, search) => {
        if (!header) {
          process.stdout.write(
            "search step phase    load         verdict        acked/s   e2e p50    e2e p99     lost  machine  notes\n",
          );
          header = true;
        }
        const failed = st.checks.filter((c) => c.valid !== true).map((c) => c.name);
        process.stdout.write(
          `${String(search + 1).padStart(6)} ${String(st.index).padStart(4)} ${st.phase.padEnd(7)} ${formatLevel(knob, st.level).padStart(10)}   ${st.verdict.padEnd(13)} ${Math.round(st.ackedPerSec).toLocaleString("en-US").padStart(9)} ${st.endToEndP50.toFixed(2).padStart(8)} ms ${st.endToEndP99.toFixed(2).padStart(8)} ms ${String(st.lost).padStart(6)}  ${(st.machineBusyPct === null ? "—" : `${Math.round(st.machineBusyPct)}%`).padStart(7)}  ${failed.length ? `broke: ${failed.join(", ")}` : ""}${st.harnessBound ? ` — ${st.reasons.join("; ")}` : ""}\n`,
        );
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
  process.stdout.write(`\n${describeOptions(result)}\n`);
  for (const [i, s] of result.searches.entries()) process.stdout.write(`search ${i + 1}: ${s.summary}\n`);
  const a = result.answerStep;
  if (a)
    process.stdout.write(
      `at the answer: offered ${Math.round(a.offeredPerSec)}/s, acked ${Math.round(a.ackedPerSec)}/s, e2e p50 ${a.endToEndP50.toFixed(2)} ms, p99 ${a.endToEndP99.toFixed(2)} ms, publish p99 ${a.publishP99.toFixed(2)} ms, lost ${a.lost}\n`,
    );
  if (result.spread && result.searches.length > 1) {
    const sp = result.spread;
    process.stdout.write(
      `over ${result.searches.length} searches: min ${formatLevel(knob, sp.min)}, median ${formatLevel(knob, sp.median)}, max ${formatLevel(knob, sp.max)} (spread ${sp.spreadPct}% of the median)\n`,
    );
  }
  process.stdout.write(
    `capacity: ${join(dir, "capacity.json")}\nreport: ${writeCapacityReport(dir, result)}\n`,
  );
  return result.searches[0]?.answer === null ? 1 : 0;
}
