/**
 * The capacity search, after Nighthawk's adaptive load controller: multiply the load by a factor
 * until a step breaks the SLO, then bisect between the last good and the first bad load until
 * they are within `precision` of each other. The answer is the highest good load. A step where
 * the load path (not the engine) was the bottleneck ends the search: above it faultbench cannot
 * tell what the engine would do, so the answer is a lower bound and says so.
 *
 * One run near the knee is a coin toss, so a load's verdict is the majority of its runs: each load
 * is run `runsPerStep` times (stopping early once a majority is certain), and a tie is run once
 * more. The break that would end the growth (a bad load while no other load is bad) is judged on
 * at least three runs, so one spike cannot cap the answer (capacity.json keeps every run).
 *
 * Pure: the steps so far in, the next load (or the end) out. The load is a rate in messages per
 * second, or a speed factor for a replayed trace; the search does not care which.
 */

import { median } from "../stats/summary.ts";

export type StepVerdict = "good" | "bad" | "harness-bound";

/** A load's verdict over its runs; undecided while no majority is certain yet. */
export type LevelVerdict = StepVerdict | "undecided";

export interface SearchStep {
  level: number;
  verdict: StepVerdict;
}

export interface SearchOptions {
  /** The first load. */
  start: number;
  /** Growth factor before the first bad step (> 1). */
  factor: number;
  /** Stop bisecting when (bad − good) / good ≤ precision, e.g. 0.02. */
  precision: number;
  /** Most steps to run. */
  maxSteps: number;
  /** Loads are rounded to a multiple of this (1 message/s for rates, 0.01 for speeds). */
  resolution: number;
  /** The lowest load worth trying when even the start is bad. */
  floor: number;
  /** Judge the break that would end the growth on at least three runs (default true). */
  confirmBreaks?: boolean;
  /** Runs per load, its verdict their majority (default 1). */
  runsPerStep?: number;
}

export type SearchEnd = "converged" | "harness-bound" | "max-steps" | "nothing-good" | "unbounded";

export type NextStep =
  | { kind: "run"; level: number; phase: "grow" | "shrink" | "bisect" | "repeat" | "confirm" }
  | {
      kind: "done";
      end: SearchEnd;
      answer: number | null;
      bracket: { good: number | null; bad: number | null };
    };

/**
 * The majority of at least `n` runs, certain once one side has more than half. A load run more
 * often than n (a tie, a confirmed break) is judged over an odd count covering its runs, so a
 * good run after a bad one leaves it undecided rather than good.
 */
function majority(verdicts: readonly StepVerdict[], n: number): LevelVerdict {
  if (verdicts.includes("harness-bound")) return "harness-bound";
  const over = Math.max(n, verdicts.length % 2 ? verdicts.length : verdicts.length + 1);
  const need = Math.floor(over / 2) + 1;
  const good = verdicts.filter((v) => v === "good").length;
  const bad = verdicts.length - good;
  return good >= need ? "good" : bad >= need ? "bad" : "undecided";
}

/**
 * One verdict per load, in the order the loads were first tried: harness-bound if any run was,
 * else the majority of `runsPerStep` runs — of at least three for the break that would end the
 * growth (the only bad load) when breaks are confirmed.
 */
export function levelVerdicts(
  steps: readonly SearchStep[],
  o: Pick<SearchOptions, "runsPerStep" | "confirmBreaks"> = {},
): Array<{ level: number; verdict: LevelVerdict }> {
  const k = Math.max(1, Math.floor(o.runsPerStep ?? 1));
  const by = new Map<number, StepVerdict[]>();
  for (const s of steps) by.set(s.level, [...(by.get(s.level) ?? []), s.verdict]);
  const levels = [...by].map(([level, runs]) => ({ level, runs, verdict: majority(runs, k) }));
  const bads = levels.filter((l) => l.verdict === "bad");
  if (o.confirmBreaks !== false && k < 3 && bads.length === 1) {
    const only = bads[0] as (typeof levels)[number];
    only.verdict = majority(only.runs, 3);
  }
  return levels.map(({ level, verdict }) => ({ level, verdict }));
}

/** The highest good load below every bad one, and the lowest bad load; undecided loads count as neither. */
export function bracketOf(
  steps: readonly SearchStep[],
  o: Pick<SearchOptions, "runsPerStep" | "confirmBreaks"> = {},
): { good: number | null; bad: number | null } {
  const levels = levelVerdicts(steps, o);
  const bads = levels.filter((s) => s.verdict === "bad" || s.verdict === "harness-bound").map((s) => s.level);
  const bad = bads.length ? Math.min(...bads) : null;
  const goods = levels
    .filter((s) => s.verdict === "good" && (bad === null || s.level < bad))
    .map((s) => s.level);
  return { good: goods.length ? Math.max(...goods) : null, bad };
}

/** Distinct loads tried: the step limit counts loads, not runs. */
const loadsTried = (steps: readonly SearchStep[]) => new Set(steps.map((s) => s.level)).size;

export function nextStep(o: SearchOptions, steps: readonly SearchStep[]): NextStep {
  const bracket = bracketOf(steps, o);
  const done = (end: SearchEnd): NextStep => ({ kind: "done", end, answer: bracket.good, bracket });
  const round = (x: number) => Math.max(o.resolution, Math.round(x / o.resolution) * o.resolution);
  const tried = new Set(steps.map((s) => s.level));

  if (steps.some((s) => s.verdict === "harness-bound")) return done("harness-bound");
  if (steps.length === 0) return { kind: "run", level: round(o.start), phase: "grow" };
  // Finish judging a load before moving on: more runs while its majority is not certain.
  const open = levelVerdicts(steps, o).find((l) => l.verdict === "undecided");
  if (open) {
    const runs = steps.filter((s) => s.level === open.level).length;
    const k = Math.max(1, Math.floor(o.runsPerStep ?? 1));
    return { kind: "run", level: open.level, phase: runs >= k ? "confirm" : "repeat" };
  }
  const { good, bad } = bracket;
  if (good !== null && bad !== null && (bad - good) / good <= o.precision) return done("converged");
  if (loadsTried(steps) >= o.maxSteps) return done(bad === null ? "unbounded" : "max-steps");
  if (bad === null) {
    const level = round((good ?? o.start) * o.factor);
    return { kind: "run", level, phase: "grow" };
  }
  if (good === null) {
    const level = round(bad / o.factor);
    if (level < o.floor || tried.has(level)) return done("nothing-good");
    return { kind: "run", level, phase: "shrink" };
  }
  const level = round((good + bad) / 2);
  if (level <= good || level >= bad || tried.has(level)) return done("converged");
  return { kind: "run", level, phase: "bisect" };
}

/** Spread of repeated answers: min, median, max and (max − min) / median in percent. */
export function spreadOf(
  answers: readonly number[],
): { min: number; median: number; max: number; spreadPct: number } | null {
  if (answers.length === 0) return null;
  const med = median(answers);
  const min = Math.min(...answers);
  const max = Math.max(...answers);
  return { min, median: med, max, spreadPct: med > 0 ? Math.round(((max - min) / med) * 1000) / 10 : 0 };
}
