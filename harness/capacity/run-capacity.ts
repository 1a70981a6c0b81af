/**
 * Runs capacity searches: each step is a real run of the scenario at one load (its warmup, then
 * its full measured window), judged by the SLOs; the steps go into `<dir>/` as ordinary run
 * directories, and the searches into capacity.json.
 */

import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { FaultbenchError } from "../errors.ts";
import type { Results } from "../results/types.ts";
import { runScenario } from "../run/run-scenario.ts";
import type { Expectation } from "../scenario/expectation.ts";
import { type Scenario, scenarioFromObject } from "../scenario/load.ts";
import { formatDuration } from "../scenario/units.ts";
import { nextStep, type SearchOptions, type StepVerdict, spreadOf } from "./search.ts";
import { judge } from "./slo.ts";
import type { CapacityResult, CapacitySearchResult, CapacityStep } from "./types.ts";

export interface CapacityRunOptions {
  scenario: Scenario;
  slos: Expectation[];
  search: Partial<SearchOptions>;
  repeat: number;
  /** How repeated searches share the machine's time (default: interleaved, step by step). */
  order?: "interleaved" | "sequential";
  dir: string;
  projectRoot: string;
  signal?: AbortSignal;
  /** Called after every step (for printing) and with each run directory (for its report). */
  onStep?: (step: CapacityStep, search: number) => void | Promise<void>;
  onRun?: (runDir: string, results: Results) => Promise<void>;
}

/** The knob a scenario's capacity is searched on, and where the search starts. */
export function knobOf(s: Scenario): { knob: "rate" | "speed"; start: number } {
  const trace = (s.workload as { trace?: { speed: number } }).trace;
  if (trace) return { knob: "speed", start: trace.speed };
  const r = s.workload.rate;
  if (typeof r === "number") return { knob: "rate", start: r };
  if (r.kind === "constant") return { knob: "rate", start: r.rate };
  if (r.kind === "ramp") return { knob: "rate", start: Math.max(r.from, r.to) };
  return { knob: "rate", start: Math.max(...r.steps.map((x) => x.rate)) };
}

/** The scenario at one load: a flat rate (or the trace at a speed); its own expectations dropped. */
export function atLevel(s: Scenario, knob: "rate" | "speed", level: number): Scenario {
  const raw = structuredClone(s.raw) as Record<string, Record<string, unknown>>;
  const w = raw.workload as Record<string, unknown>;
  if (knob === "rate") w.rate = `${level}/s`;
  else
    w.trace =
      typeof w.trace === "string"
        ? { file: w.trace, speed: level }
        : { ...(w.trace as object), speed: level };
  raw.expect = {};
  return scenarioFromObject(raw, s.file);
}

function verdictOf(r: Results, checks: ReturnType<typeof judge>): StepVerdict {
  const held = r.status !== "errored" && checks.every((c) => c.valid === true);
  // A step whose load path saturated cannot speak for the engine, whichever way it went.
  if (r.harnessBound) return "harness-bound";
  return held ? "good" : "bad";
}

const fmt = (knob: "rate" | "speed", x: number) =>
  knob === "rate" ? `${Math.round(x).toLocaleString("en-US")}/s` : `${x}×`;

function summaryOf(knob: "rate" | "speed", s: Omit<CapacitySearchResult, "summary">): string {
  const starved = s.steps.filter((x) => x.machineBusyPct !== null && x.machineBusyPct >= 90);
  const caveat = starved.length
    ? ` Caveat: the machine was ≥ 90% busy (all its processes counted) in ${starved.length} of ${s.steps.length} steps, so these figures are CPU-starved.`
    : "";
  const text = summaryText(knob, s);
  return caveat ? `${text.replace(/\.?$/, ".")}${caveat}` : text;
}

function summaryText(knob: "rate" | "speed", s: Omit<CapacitySearchResult, "summary">): string {
  const a = s.answer === null ? null : fmt(knob, s.answer);
  const hb = s.steps.find((x) => x.verdict === "harness-bound");
  switch (s.end) {
    case "converged":
      return `max sustainable ${knob} under the SLOs: ${a} (the next step, ${fmt(knob, s.bracket.bad as number)}, broke them)`;
    case "harness-bound":
      return `HARNESS-BOUND at ${fmt(knob, hb?.level ?? 0)}: the load path saturated before the engine (${hb?.reasons.join("; ") ?? ""}). The engine's limit is not measured; ${a ? `it held the SLOs up to ${a}` : "no tested load below that held the SLOs"}. Use workload.workers or a bigger machine to go further.`;
    case "max-steps":
      if (s.answer === null)
        return `no tested load held the SLOs; the step limit stopped the search at ${fmt(knob, s.bracket.bad as number)}`;
      return `stopped after the step limit: the answer lies between ${a ?? "—"} (good) and ${fmt(knob, s.bracket.bad as number)} (bad)`;
    case "unbounded":
      return `every step held the SLOs, up to ${a}; the step limit ended the search before any broke them`;
    case "nothing-good":
      return `no tested load held the SLOs (the lowest tried, ${fmt(knob, s.bracket.bad as number)}, broke them)`;
  }
}

export async function runCapacity(o: CapacityRunOptions): Promise<CapacityResult> {
  const { knob, start } = knobOf(o.scenario);
  const options: SearchOptions = {
    start: o.search.start ?? start,
    factor: o.search.factor ?? 2,
    precision: o.search.precision ?? 0.02,
    maxSteps: o.search.maxSteps ?? 12,
    runsPerStep: o.search.runsPerStep ?? 1,
    resolution: knob === "rate" ? 1 : 0.01,
    floor: knob === "rate" ? 1 : 0.01,
  };
  const result: CapacityResult = {
    schemaVersion: 1,
    kind: "capacity",
    scenario: o.scenario.name,
    engine: o.scenario.engine,
    startedAt: new Date().toISOString(),
    knob,
    slos: o.slos.map((s) => s.source),
    options: {
      ...options,
      measuredMs: o.scenario.workload.duration,
      warmupMs: o.scenario.workload.warmup,
      repeat: o.repeat,
      order: o.order ?? "interleaved",
    },
    searches: [],
    spread: null,
    answerStep: null,
  };
  const save = () => writeFileSync(join(o.dir, "capacity.json"), `${JSON.stringify(result, null, 2)}\n`);
  const searches: CapacitySearchResult[] = Array.from({ length: o.repeat }, () => ({
    steps: [],
    end: "max-steps",
    answer: null,
    bracket: { good: null, bad: null },
    summary: "",
  }));
  const done = new Set<number>();
  // Interleaved, search i's k-th step runs beside every other search's k-th step, so a machine
  // whose speed drifts over minutes (a shared VM) shifts all answers alike and the spread shows
  // the search's own noise; sequential shows the drift too.
  const order = o.order ?? "interleaved";
  let turn = 0;
  while (done.size < searches.length) {
    const rep =
      order === "sequential"
        ? searches.findIndex((_, i) => !done.has(i))
        : (() => {
            while (done.has(turn % searches.length)) turn++;
            return turn++ % searches.length;
          })();
    const search = searches[rep] as CapacitySearchResult;
    if (!result.searches.includes(search)) result.searches.push(search);
    const steps = search.steps;
    if (o.signal?.aborted) throw new FaultbenchError("FB_RUN_ABORTED", "the capacity search was interrupted");
    const next = nextStep(
      options,
      steps.map((s) => ({ level: s.level, verdict: s.verdict })),
    );
    if (next.kind === "done") {
      Object.assign(search, { end: next.end, answer: next.answer, bracket: next.bracket });
      search.summary = summaryOf(knob, search);
      done.add(rep);
      save();
      continue;
    }
    const scenario = atLevel(o.scenario, knob, next.level);
    const startedAt = new Date().toISOString();
    const { runDir, results } = await runScenario({
      scenario,
      outDir: o.dir,
      projectRoot: o.projectRoot,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (o.signal?.aborted) throw new FaultbenchError("FB_RUN_ABORTED", "the capacity search was interrupted");
    await o.onRun?.(runDir, results);
    const checks = judge(results, o.slos);
    const e2e = results.latency.endToEnd.corrected;
    const step: CapacityStep = {
      index: steps.length + 1,
      level: next.level,
      phase: next.phase,
      verdict: verdictOf(results, checks),
      runDir: relative(o.dir, runDir),
      startedAt,
      status: results.status,
      offeredPerSec: results.throughput.offeredPerSec,
      sentPerSec: results.throughput.sentPerSec,
      ackedPerSec: results.throughput.ackedPerSec,
      deliveredPerSec: results.throughput.deliveredPerSec,
      endToEndP50: e2e.p50,
      endToEndP99: e2e.p99,
      publishP99: results.latency.publish.corrected.p99,
      lost: results.delivery.lost,
      harnessBound: results.harnessBound === true,
      machineBusyPct: results.resources?.machineBusyPct ?? null,
      reasons: results.error ? [results.error.message] : (results.resources?.reasons ?? []),
      checks,
    };
    steps.push(step);
    save();
    await o.onStep?.(step, rep);
  }
  // Searches are listed in their own order, whichever ran first.
  result.searches = searches;
  result.spread = spreadOf(result.searches.flatMap((s) => (s.answer === null ? [] : [s.answer])));
  const first = result.searches[0];
  // Of the answer's good runs, the one with the median e2e p99 speaks for it.
  const atAnswer = (first?.steps ?? [])
    .filter((s) => s.level === first?.answer && s.verdict === "good")
    .sort((a, b) => a.endToEndP99 - b.endToEndP99);
  result.answerStep = atAnswer[Math.floor((atAnswer.length - 1) / 2)] ?? null;
  save();
  return result;
}

/** The search's settings in one line, for the console. */
export function describeOptions(r: CapacityResult): string {
  const o = r.options;
  const runs = o.runsPerStep ?? 1;
  return `${r.knob} from ${fmt(r.knob, o.start)}, ×${o.factor} until an SLO breaks, then bisect to ${o.precision * 100}%; each run ${formatDuration(o.warmupMs)} warmup + ${formatDuration(o.measuredMs)} measured; ${runs > 1 ? `${runs} runs per load, judged by their majority` : "one run per load (the break that ends the growth: best of three)"}; at most ${o.maxSteps} loads${o.repeat > 1 ? `; ${o.repeat} searches, ${o.order === "sequential" ? "one after another" : "interleaved step by step"}` : ""}`;
}

export { fmt as formatLevel };
