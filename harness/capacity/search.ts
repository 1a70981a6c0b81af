/**
 * The capacity search, after Nighthawk's adaptive load controller: multiply the load by a factor
 * until a step breaks the SLO, then bisect between the last good and the first bad load until
 * they are within `precision` of each other. The answer is the highest good load. A step where
 * the load path (not the engine) was the bottleneck ends the search: above it faultbench cannot
 * tell what the engine would do, so the answer is a lower bound and says so.
 *
 * One spike must not cap the answer: a bad step while no other load is bad (the break that would
 * end the growth) is run once more, and a load counts as bad only when its break reproduces — a load
 * with a good run among its runs is good (capacity.json keeps both runs).
 *
 * Pure: the steps so far in, the next load (or the end) out. The load is a rate in messages per
 * second, or a speed factor for a replayed trace; the search does not care which.
 */

import { median } from "../stats/summary.ts";

export type StepVerdict = "good" | "bad" | "harness-bound";

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
  /** Re-run the search's first bad step before believing it (default true). */
  confirmBreaks?: boolean;
}

export type SearchEnd = "converged" | "harness-bound" | "max-steps" | "nothing-good" | "unbounded";

export type NextStep =
  | { kind: "run"; level: number; phase: "grow" | "shrink" | "bisect" | "confirm" }
  | {
      kind: "done";
      end: SearchEnd;
      answer: number | null;
      bracket: { good: number | null; bad: number | null };
    };

/**
 * One verdict per load: harness-bound if any run was, else good if any run was (the break did
 * not reproduce), else bad.
 */
export function levelVerdicts(steps: readonly SearchStep[]): SearchStep[] {
  const by = new Map<number, StepVerdict[]>();
  for (const s of steps) by.set(s.level, [...(by.get(s.level) ?? []), s.verdict]);
  return [...by].map(([level, vs]) => ({
    level,
    verdict: vs.includes("harness-bound") ? "harness-bound" : vs.includes("good") ? "good" : "bad",
  }));
}

/** The highest good load below every bad one, and the lowest bad load. */
export function bracketOf(steps: readonly SearchStep[]): { good: number | null; bad: number | null } {
  const levels = levelVerdicts(steps);
  const bads = levels.filter((s) => s.verdict !== "good").map((s) => s.level);
  const bad = bads.length ? Math.min(...bads) : null;
  const goods = levels
    .filter((s) => s.verdict === "good" && (bad === null || s.level < bad))
    .map((s) => s.level);
  return { good: goods.length ? Math.max(...goods) : null, bad };
}

export function nextStep(o: SearchOptions, steps: readonly SearchStep[]): NextStep {
  const bracket = bracketOf(steps);
  const done = (end: SearchEnd): NextStep => ({ kind: "done", end, answer: bracket.good, bracket });
  const round = (x: number) => Math.max(o.resolution, Math.round(x / o.resolution) * o.resolution);
  const tried = new Set(steps.map((s) => s.level));

  if (steps.some((s) => s.verdict === "harness-bound")) return done("harness-bound");
  if (steps.length === 0) return { kind: "run", level: round(o.start), phase: "grow" };
  const last = steps[steps.length - 1] as SearchStep;
  if (
    o.confirmBreaks !== false &&
    last.verdict === "bad" &&
    steps.filter((s) => s.level === last.level).length === 1 &&
    !levelVerdicts(steps).some((s) => s.verdict === "bad" && s.level !== last.level) &&
    steps.length < o.maxSteps
  )
    return { kind: "run", level: last.level, phase: "confirm" };
  const { good, bad } = bracket;
  if (good !== null && bad !== null && (bad - good) / good <= o.precision) return done("converged");
  if (steps.length >= o.maxSteps) return done(bad === null ? "unbounded" : "max-steps");
  if (bad === null) {
    const level = round((good ?? o.start) * o.factor);
    return { kind: "run", level, phase: "grow" };
  }
  if (good === null) {
    const level = round(bad / o.factor);
    if (level < o.floor || tried.has(level)) return done("nothing-good");
    return { kind: "run", level, phase: "shrink" };
  }
  if ((bad - good) / good <= o.precision) return done("converged");
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
