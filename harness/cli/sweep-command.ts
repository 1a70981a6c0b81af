/**
 * `faultbench sweep <scenario>... --set path=v1,v2 …`: run every design point (a grid, or with
 * --list the i-th values together), or with --capacity a capacity search at each, and write
 * sweep.json and sweep.html (hockey stick with knees, highest rate per design point, scaling).
 */

import { existsSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { writeCapacityReport } from "../../reports/build-capacity.ts";
import { writeReport } from "../../reports/build-report.ts";
import { writeSweepReport } from "../../reports/build-sweep.ts";
import { DEFAULT_SLOS, parseSlo } from "../capacity/slo.ts";
import { FaultbenchError } from "../errors.ts";
import { timestamp } from "../run/run-dir.ts";
import { loadScenario } from "../scenario/load.ts";
import { capacityTable } from "../sweep/capacity-table.ts";
import { parseSet } from "../sweep/grid.ts";
import { maxRates, runSweep, sweepPoints } from "../sweep/run-sweep.ts";
import { scenarioFiles } from "./scenario-files.ts";

export interface SweepCliOptions {
  set: string[];
  list: boolean;
  capacity: boolean;
  slo: string[];
  out: string;
  seed?: number;
  duration?: number;
  maxSteps: number;
  runsPerStep: number;
  start?: number;
}

export async function sweepCommand(
  paths: string[],
  opts: SweepCliOptions,
  projectRoot: string,
): Promise<number> {
  const slos = (opts.slo.length > 0 ? opts.slo : DEFAULT_SLOS).map(parseSlo);
  const dims = opts.set.map(parseSet);
  const { files } = scenarioFiles(paths);
  if (files.length === 0) throw new FaultbenchError("FB_USAGE", "give at least one scenario file");
  const overrides = {
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.duration === undefined ? {} : { durationMs: opts.duration }),
  };
  const scenarios = await Promise.all(
    files.map((f) => loadScenario(relative(process.cwd(), f) || f, overrides)),
  );
  const capacity = opts.capacity
    ? {
        maxSteps: opts.maxSteps,
        runsPerStep: opts.runsPerStep,
        ...(opts.start === undefined ? {} : { start: opts.start }),
      }
    : undefined;
  const planned = sweepPoints({
    scenarios,
    dimensions: dims,
    mode: opts.list ? "list" : "grid",
    ...(capacity ? { capacity } : {}),
  });
  const dir = join(
    opts.out,
    `${timestamp()}-sweep-${scenarios
      .map((s) => s.name)
      .join("+")
      .slice(0, 80)}`,
  );
  mkdirSync(dir, { recursive: true });
  process.stdout.write(
    `sweep: ${planned.length} point${planned.length === 1 ? "" : "s"}${opts.capacity ? ", a capacity search at each" : ""}; SLOs: ${slos.map((s) => s.source).join(", ")}\n`,
  );
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  let result: Awaited<ReturnType<typeof runSweep>>;
  try {
    result = await runSweep({
      scenarios,
      dimensions: dims,
      mode: opts.list ? "list" : "grid",
      slos,
      ...(capacity ? { capacity } : {}),
      dir,
      projectRoot,
      signal: controller.signal,
      onRun: async (runDir, results) => {
        await writeReport(runDir, { results }).catch(() => undefined);
      },
      onPoint: (p, i, total) => {
        if (opts.capacity && existsSync(join(dir, p.dir, "capacity.json")))
          writeCapacityReport(join(dir, p.dir));
        process.stdout.write(
          `[${i + 1}/${total}] ${p.design.padEnd(40)} ${opts.capacity ? `max ${p.maxRate === null || p.maxRate === undefined ? "—" : `${Math.round(p.maxRate)}/s`} (${p.searchEnd})` : `offered ${Math.round(p.offeredPerSec)}/s acked ${Math.round(p.ackedPerSec)}/s p99 ${p.endToEndP99.toFixed(2)} ms ${p.harnessBound ? "HARNESS-BOUND" : p.sloHeld ? "holds" : "breaks"}`}\n`,
        );
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
  process.stdout.write("\nhighest rate under the SLOs per design point:\n");
  if (result.capacity) process.stdout.write(`${capacityTable(result.points)}\n`);
  else
    for (const m of maxRates(result))
      process.stdout.write(
        `  ${m.design.padEnd(44)} ${m.maxRate === null ? "none" : `${Math.round(m.maxRate).toLocaleString("en-US")}/s`}${m.harnessBound ? " (harness-bound: a lower bound, not the engine's limit)" : ""}\n`,
      );
  process.stdout.write(`sweep: ${join(dir, "sweep.json")}\nreport: ${writeSweepReport(dir, result)}\n`);
  return 0;
}
