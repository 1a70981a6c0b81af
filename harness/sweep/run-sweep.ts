/**
 * Runs a sweep: every design point of every scenario, one after the other — a single run each, or
 * with `capacity` a whole capacity search each (then the point's figures are those at its answer).
 * Points are validated before anything runs, so a bad path costs nothing.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { runCapacity } from "../capacity/run-capacity.ts";
import type { SearchOptions } from "../capacity/search.ts";
import { judge } from "../capacity/slo.ts";
import { FaultbenchError, isFaultbenchError } from "../errors.ts";
import type { Results } from "../results/types.ts";
import { runScenario } from "../run/run-scenario.ts";
import type { Expectation } from "../scenario/expectation.ts";
import { type Scenario, scenarioFromObject } from "../scenario/load.ts";
import { type Dimension, grid, type Point, pointLabel, setPath, zip } from "./grid.ts";
import type { SweepPoint, SweepResult } from "./types.ts";

export interface SweepOptions {
  scenarios: Scenario[];
  dimensions: Dimension[];
  mode: "grid" | "list";
  slos: Expectation[];
  /** Run a capacity search at every design point instead of one run. */
  capacity?: Partial<SearchOptions>;
  dir: string;
  projectRoot: string;
  signal?: AbortSignal;
  onPoint?: (p: SweepPoint, i: number, total: number) => void;
  onRun?: (runDir: string, results: Results) => Promise<void>;
}

export function sweepPoints(o: Pick<SweepOptions, "scenarios" | "dimensions" | "mode" | "capacity">) {
  if (o.capacity && o.dimensions.some((d) => d.path === "workload.rate"))
    throw new FaultbenchError("FB_USAGE", "--capacity searches the rate itself; drop --set workload.rate");
  const points: Point[] =
    o.dimensions.length === 0 ? [{}] : o.mode === "grid" ? grid(o.dimensions) : zip(o.dimensions);
  const problems: string[] = [];
  const planned: { scenario: Scenario; point: Point }[] = [];
  for (const base of o.scenarios) {
    for (const point of points) {
      let doc = base.raw;
      try {
        for (const [path, v] of Object.entries(point)) doc = setPath(doc, path, v);
        planned.push({ scenario: scenarioFromObject(doc, `${base.file} [${pointLabel(point)}]`), point });
      } catch (e) {
        if (isFaultbenchError(e) && e.code === "FB_SCENARIO_INVALID")
          problems.push(...(e.context.problems ?? [e.message]));
        else throw e;
      }
    }
  }
  if (problems.length > 0)
    throw new FaultbenchError(
      "FB_SCENARIO_INVALID",
      `invalid sweep point:\n${problems.map((p) => `  ${p}`).join("\n")}`,
      {
        context: { problems },
      },
    );
  return planned;
}

function designOf(scenario: Scenario, point: Point): string {
  const rest = Object.fromEntries(Object.entries(point).filter(([k]) => k !== "workload.rate"));
  const label = pointLabel(rest);
  return label ? `${scenario.name} ${label}` : scenario.name;
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const planned = sweepPoints(o);
  const result: SweepResult = {
    schemaVersion: 1,
    kind: "sweep",
    startedAt: new Date().toISOString(),
    scenarios: o.scenarios.map((s) => s.name),
    dimensions: o.dimensions,
    mode: o.mode,
    capacity: o.capacity !== undefined,
    slos: o.slos.map((s) => s.source),
    points: [],
  };
  const save = () => writeFileSync(join(o.dir, "sweep.json"), `${JSON.stringify(result, null, 2)}\n`);
  for (const [i, { scenario, point }] of planned.entries()) {
    if (o.signal?.aborted) throw new FaultbenchError("FB_RUN_ABORTED", "the sweep was interrupted");
    const design = designOf(scenario, point);
    let p: SweepPoint;
    if (o.capacity) {
      const dir = join(o.dir, `point-${i + 1}`);
      mkdirSync(dir, { recursive: true });
      const cap = await runCapacity({
        scenario,
        slos: o.slos,
        search: o.capacity,
        repeat: 1,
        dir,
        projectRoot: o.projectRoot,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.onRun ? { onRun: o.onRun } : {}),
      });
      const s = cap.searches[0];
      const a = cap.answerStep;
      p = {
        scenario: scenario.name,
        engine: scenario.engine,
        values: point,
        design,
        dir: relative(o.dir, dir),
        status: s?.end ?? "none",
        offeredPerSec: a?.offeredPerSec ?? 0,
        ackedPerSec: a?.ackedPerSec ?? 0,
        endToEndP50: a?.endToEndP50 ?? 0,
        endToEndP99: a?.endToEndP99 ?? 0,
        lost: a?.lost ?? 0,
        harnessBound: s?.end === "harness-bound",
        sloHeld: a !== null,
        maxRate: s?.answer ?? null,
        searchEnd: s?.end ?? "none",
        brokeAt: s?.bracket.bad ?? null,
        machineBusyMaxPct: maxOrNull((s?.steps ?? []).map((x) => x.machineBusyPct)),
      };
    } else {
      const { runDir, results } = await runScenario({
        scenario,
        outDir: o.dir,
        projectRoot: o.projectRoot,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      await o.onRun?.(runDir, results);
      const e2e = results.latency.endToEnd.corrected;
      p = {
        scenario: scenario.name,
        engine: scenario.engine,
        values: point,
        design,
        dir: relative(o.dir, runDir),
        status: results.status,
        offeredPerSec: results.throughput.offeredPerSec,
        ackedPerSec: results.throughput.ackedPerSec,
        endToEndP50: e2e.p50,
        endToEndP99: e2e.p99,
        lost: results.delivery.lost,
        harnessBound: results.harnessBound === true,
        sloHeld: results.status !== "errored" && judge(results, o.slos).every((c) => c.valid === true),
      };
    }
    result.points.push(p);
    save();
    o.onPoint?.(p, i, planned.length);
  }
  save();
  return result;
}

function maxOrNull(xs: (number | null)[]): number | null {
  const n = xs.filter((x): x is number => typeof x === "number");
  return n.length ? Math.max(...n) : null;
}

/** The highest rate per design point: the capacity answer, or the highest good, not harness-bound point. */
export function maxRates(r: SweepResult): {
  design: string;
  engine: string;
  values: Record<string, unknown>;
  maxRate: number | null;
  harnessBound: boolean;
}[] {
  const by = new Map<string, SweepPoint[]>();
  for (const p of r.points) by.set(p.design, [...(by.get(p.design) ?? []), p]);
  return [...by.entries()].map(([design, ps]) => {
    const first = ps[0] as SweepPoint;
    const values = Object.fromEntries(Object.entries(first.values).filter(([k]) => k !== "workload.rate"));
    if (r.capacity)
      return {
        design,
        engine: first.engine,
        values,
        maxRate: first.maxRate ?? null,
        harnessBound: first.harnessBound,
      };
    const good = ps.filter((p) => p.sloHeld && !p.harnessBound).map((p) => p.offeredPerSec);
    return {
      design,
      engine: first.engine,
      values,
      maxRate: good.length ? Math.max(...good) : null,
      harnessBound: ps.some((p) => p.harnessBound),
    };
  });
}
