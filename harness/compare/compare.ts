/**
 * The regression gate: compares a candidate sample set with a baseline, scenario by scenario and
 * figure by figure. A performance figure regresses only when its median moved past its threshold
 * in the worse direction AND the Mann–Whitney test says the move is unlikely to be noise
 * (p < alpha). Correctness never waits for statistics: a loss, corruption, unexpected delivery or
 * failed-but-delivered count that the baseline never had, or a check that held in every baseline
 * run and failed in a candidate run, is a regression on one run. Latency percentiles are also read
 * from the merged HDR histograms of all repeats, with bootstrap intervals over repeats.
 */

import { histogramPool, type LatencyKey } from "../baseline/histograms.ts";
import type { RunSample, SampleSet } from "../baseline/sample-set.ts";
import type { Environment } from "../results/types.ts";
import { bootstrapIntervals } from "../stats/bootstrap.ts";
import { mannWhitney, smallestP } from "../stats/mann-whitney.ts";
import { shiftInterval } from "../stats/shift-interval.ts";
import { robustCv, type Summary, summarize } from "../stats/summary.ts";
import { type FigureSpec, figureValue, gatedFigures } from "./figures.ts";
import { type Threshold, thresholdFor } from "./thresholds.ts";

export type Verdict =
  | "regression"
  | "improvement"
  | "within threshold"
  | "not significant"
  | "not comparable";

export interface FigureComparison {
  scenario: string;
  spec: FigureSpec;
  base: Summary;
  cand: Summary;
  /** Relative change of the medians (0.1 = +10%); null when the baseline median is 0 or missing. */
  change: number | null;
  /** The Hodges–Lehmann shift's interval, relative to the baseline median. */
  interval: { low: number; high: number; confidence: number } | null;
  p: number | null;
  threshold: Threshold;
  /** The robust CV the threshold was scaled by (stored noise, else the baseline's repeats), when known. */
  noiseCv: number | null;
  verdict: Verdict;
  /** One sentence: why this verdict. */
  reason: string;
}

export interface DistributionShift {
  scenario: string;
  latency: LatencyKey;
  percentile: number;
  base: number | null;
  cand: number | null;
  /** Bootstrap interval of cand − base (ms) over repeats; null with fewer than 2 repeats a side. */
  interval: { low: number; high: number } | null;
}

export interface ScenarioComparison {
  scenario: string;
  baseRuns: RunSample[];
  candRuns: RunSample[];
  figures: FigureComparison[];
  distribution: DistributionShift[];
  /** Checks that held in every baseline run and failed in some candidate run. */
  newlyFailedChecks: { name: string; detail: string }[];
  /** Candidate runs that broke (errored): their figures cannot be trusted. */
  broken: { dir: string; message: string }[];
  warnings: string[];
  /**
   * Why the gate cannot say "no regression" for this scenario's performance, only "none shown":
   * too few repeats for the test to ever reach p < alpha, or figures that moved past their
   * threshold in the worse direction within the noise. Empty when the verdict is a real one.
   */
  undecided: string[];
}

export interface Comparison {
  baseline: SampleSet;
  candidate: SampleSet;
  scenarios: ScenarioComparison[];
  /** Scenarios only one side ran. */
  onlyInBaseline: string[];
  onlyInCandidate: string[];
  warnings: string[];
  alpha: number;
  /** 0 no regression, 1 a regression, 3 a candidate run broke. */
  exitCode: 0 | 1 | 3;
}

export interface CompareOptions {
  alpha?: number;
  /** Robust coefficient of variation per scenario and figure, from `faultbench noise`. */
  noise?: (scenario: string) => Record<string, number | null> | undefined;
  /** Fewer repeats than this per side gets a warning. */
  minRepeats?: number;
  seed?: number;
}

export const MIN_REPEATS = 5;
const SHIFT_PERCENTILES = [50, 99, 99.9];

export function sameMachineClass(a: Environment | null, b: Environment | null): boolean {
  if (!a || !b) return true;
  return a.cpus === b.cpus && a.cpu === b.cpu;
}

export function compareSets(
  baseline: SampleSet,
  candidate: SampleSet,
  opts: CompareOptions = {},
): Comparison {
  const alpha = opts.alpha ?? 0.05;
  const warnings: string[] = [];
  if (!sameMachineClass(baseline.environment, candidate.environment)) {
    const e = (x: Environment | null) => (x ? `${x.cpus} × ${x.cpu}` : "unknown");
    warnings.push(
      `the baseline ran on a different machine class (${e(baseline.environment)}) than the candidate (${e(candidate.environment)}): differences may be the machine's`,
    );
  }
  const scenarios: ScenarioComparison[] = [];
  for (const [name, candRuns] of candidate.scenarios) {
    const baseRuns = baseline.scenarios.get(name);
    if (!baseRuns) continue;
    scenarios.push(compareScenario(name, baseRuns, candRuns, { ...opts, alpha }));
  }
  const onlyInBaseline = [...baseline.scenarios.keys()].filter((n) => !candidate.scenarios.has(n));
  const onlyInCandidate = [...candidate.scenarios.keys()].filter((n) => !baseline.scenarios.has(n));
  if (onlyInCandidate.length > 0)
    warnings.push(`no baseline for ${onlyInCandidate.join(", ")}: not compared`);
  if (onlyInBaseline.length > 0) warnings.push(`the candidate did not run ${onlyInBaseline.join(", ")}`);
  const broken = scenarios.some((s) => s.broken.length > 0);
  const regressed = scenarios.some(
    (s) => s.newlyFailedChecks.length > 0 || s.figures.some((f) => f.verdict === "regression"),
  );
  return {
    baseline,
    candidate,
    scenarios,
    onlyInBaseline,
    onlyInCandidate,
    warnings,
    alpha,
    exitCode: broken ? 3 : regressed ? 1 : 0,
  };
}

export function compareScenario(
  scenario: string,
  baseRuns: RunSample[],
  candRuns: RunSample[],
  opts: CompareOptions & { alpha: number },
): ScenarioComparison {
  const minRepeats = opts.minRepeats ?? MIN_REPEATS;
  const warnings: string[] = [];
  const broken = candRuns
    .filter((r) => r.results.status === "errored")
    .map((r) => ({ dir: r.dir, message: r.results.error?.message ?? "the run broke" }));
  // Figures come from the runs that finished; a broken baseline run is left out too.
  const base = baseRuns.filter((r) => r.results.status !== "errored");
  const cand = candRuns.filter((r) => r.results.status !== "errored");
  const n = Math.min(base.length, cand.length);
  const undecided: string[] = [];
  const floorP = smallestP(base.length, cand.length);
  if (floorP >= opts.alpha)
    undecided.push(
      `${base.length} baseline vs ${cand.length} candidate repeat(s): the smallest p the test can give is ${floorP.toPrecision(2)} ≥ ${opts.alpha}, so no performance change can be shown`,
    );
  if (n < minRepeats)
    warnings.push(
      `${base.length} baseline and ${cand.length} candidate repeat(s): below ${minRepeats} a side the test rarely reaches p < ${opts.alpha} (3 vs 3 never does), so only correctness can fail this scenario`,
    );
  // A busy machine (other users included) moves latency more than most regressions do: say so.
  for (const [side, runs] of [
    ["baseline", base],
    ["candidate", cand],
  ] as const) {
    const busy = runs
      .map((r) => r.results.resources?.machineBusyPct)
      .filter((x): x is number => typeof x === "number");
    if (busy.length > 0 && Math.max(...busy) >= 80)
      warnings.push(
        `the machine was up to ${Math.round(Math.max(...busy))}% busy (other users included) during the ${side} runs: latency differences may be the machine's`,
      );
  }
  // Thresholds set in the scenario: the candidate's copy (the change under review may set them).
  const regression = (cand[0]?.scenario?.regression ?? base[0]?.scenario?.regression) as
    | Record<string, unknown>
    | undefined;
  const noise = opts.noise?.(scenario);
  const figures: FigureComparison[] = [];
  for (const spec of gatedFigures([...base, ...cand].map((r) => r.results))) {
    const bv = base.map((r) => figureValue(r.results, spec.path));
    const cvv = cand.map((r) => figureValue(r.results, spec.path));
    // The noise a threshold is scaled by: measured by `faultbench noise`, else the baseline's own repeats.
    const nums = (xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === "number");
    const noiseCv = noise?.[spec.path] ?? (nums(bv).length >= 3 ? robustCv(nums(bv)) : null);
    const threshold = thresholdFor(
      spec.path,
      spec.better,
      spec.threshold,
      regression,
      spec.kind === "correctness" ? null : noiseCv,
    );
    figures.push(judgeFigure(scenario, spec, bv, cvv, threshold, noiseCv, opts.alpha));
  }
  const newlyFailedChecks: { name: string; detail: string }[] = [];
  if (base.length > 0) {
    const names = new Set(cand.flatMap((r) => r.results.checks.map((c) => c.name)));
    for (const name of names) {
      const heldInBase = base.every((r) => r.results.checks.some((c) => c.name === name && c.valid === true));
      const failed = cand.flatMap((r) => r.results.checks.filter((c) => c.name === name && c.valid !== true));
      if (heldInBase && failed.length > 0) newlyFailedChecks.push({ name, detail: failed[0]?.detail ?? "" });
    }
  }
  if (floorP < opts.alpha)
    for (const f of figures)
      if (
        f.verdict === "not significant" &&
        (f.cand.median - f.base.median) * (f.threshold.worse === "up" ? 1 : -1) > 0
      )
        undecided.push(`${f.spec.label} ${f.reason}`);
  return {
    scenario,
    baseRuns,
    candRuns,
    figures,
    undecided,
    distribution: distributionShifts(scenario, base, cand, opts.seed ?? 1),
    newlyFailedChecks,
    broken,
    warnings,
  };
}

export function judgeFigure(
  scenario: string,
  spec: FigureSpec,
  bv: (number | null | undefined)[],
  cv: (number | null | undefined)[],
  threshold: Threshold,
  noiseCv: number | null,
  alpha: number,
): FigureComparison {
  const isNum = (x: number | null | undefined): x is number => typeof x === "number";
  const b = bv.filter(isNum);
  const c = cv.filter(isNum);
  const base = summarize(b);
  const cand = summarize(c);
  const common = { scenario, spec, base, cand, threshold, noiseCv };
  // A fault time that is null means "never recovered": worse than any number.
  const baseNever = bv.some((x) => x === null);
  const candNever = cv.some((x) => x === null);
  // A fault only one side injected (a scenario change) has nothing to be compared with.
  const onBothSides = bv.some((x) => x !== undefined) && cv.some((x) => x !== undefined);
  if (
    spec.kind === "performance" &&
    spec.path.startsWith("faults.") &&
    onBothSides &&
    candNever &&
    !baseNever &&
    bv.length > 0
  )
    return {
      ...common,
      change: null,
      interval: null,
      p: null,
      verdict: "regression",
      reason: "the candidate never got there in some run (null); every baseline run did",
    };
  if (b.length === 0 || c.length === 0)
    return {
      ...common,
      change: null,
      interval: null,
      p: null,
      verdict: "not comparable",
      reason: onBothSides ? "no value on one side (never reached)" : "measured on one side only",
    };
  const change =
    base.median === 0 ? (cand.median === 0 ? 0 : null) : (cand.median - base.median) / Math.abs(base.median);
  const shift = shiftInterval(b, c);
  const scale = Math.abs(base.median);
  const interval =
    shift.low === null || shift.high === null || scale === 0
      ? null
      : { low: shift.low / scale, high: shift.high / scale, confidence: shift.confidence as number };
  if (spec.kind === "correctness") {
    const newOnes = base.max === 0 && cand.max > 0;
    return {
      ...common,
      change,
      interval,
      p: null,
      verdict: newOnes ? "regression" : cand.max < base.min ? "improvement" : "within threshold",
      reason: newOnes
        ? `${cand.max} in a candidate run where no baseline run had any: a correctness regression on its own`
        : base.max > 0
          ? "the baseline had some too: counted, not gated"
          : "none on either side",
    };
  }
  const mw = mannWhitney(b, c);
  const worseSign = threshold.worse === "up" ? 1 : -1;
  // Relative change in the worse direction; when the baseline is 0, any worse move counts as past.
  const worseBy =
    change === null
      ? Math.sign(cand.median - base.median) === worseSign
        ? Number.POSITIVE_INFINITY
        : Number.NEGATIVE_INFINITY
      : change * worseSign;
  const past = worseBy > threshold.relative;
  const betterPast = -worseBy > threshold.relative;
  const significant = mw.p < alpha;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  let verdict: Verdict;
  let reason: string;
  if (past && significant) {
    verdict = "regression";
    reason = `worse by ${change === null ? "a move from 0" : pct(Math.abs(change))}, past the ${pct(threshold.relative)} threshold, p = ${mw.p.toPrecision(2)} < ${alpha}`;
  } else if (betterPast && significant) {
    verdict = "improvement";
    reason = `better by ${change === null ? "a move from 0" : pct(Math.abs(change))}, p = ${mw.p.toPrecision(2)}`;
  } else if (past || betterPast) {
    verdict = "not significant";
    reason = `moved past the ${pct(threshold.relative)} threshold but p = ${mw.p.toPrecision(2)} ≥ ${alpha}: within what the noise of ${b.length} vs ${c.length} repeats allows`;
  } else {
    verdict = "within threshold";
    reason = `within the ${pct(threshold.relative)} threshold${significant ? ` (though p = ${mw.p.toPrecision(2)})` : ""}`;
  }
  return { ...common, change, interval, p: mw.p, verdict, reason };
}

/** p50/p99/p99.9 of the merged HDR histograms of every repeat, with bootstrap intervals over repeats. */
function distributionShifts(
  scenario: string,
  base: RunSample[],
  cand: RunSample[],
  seed: number,
): DistributionShift[] {
  const out: DistributionShift[] = [];
  for (const latency of ["publish", "endToEnd"] as const) {
    const be = base
      .map((r) => r.results.histograms?.[latency].corrected)
      .filter((x): x is string => typeof x === "string");
    const ce = cand
      .map((r) => r.results.histograms?.[latency].corrected)
      .filter((x): x is string => typeof x === "string");
    if (be.length === 0 || ce.length === 0) continue;
    const bp = histogramPool(be);
    const cp = histogramPool(ce);
    const bi = be.map((_, i) => i);
    const ci = ce.map((_, i) => i);
    const bAll = bp.merge(bi, SHIFT_PERCENTILES);
    const cAll = cp.merge(ci, SHIFT_PERCENTILES);
    // 200 resamples: merging histograms is the cost, and the interval's ends move by well under
    // its width beyond that.
    const intervals = bootstrapIntervals(
      bi,
      ci,
      (b, c) => {
        const x = bp.merge(b, SHIFT_PERCENTILES);
        const y = cp.merge(c, SHIFT_PERCENTILES);
        return SHIFT_PERCENTILES.map((_, k) =>
          x[k] == null || y[k] == null ? null : (y[k] as number) - (x[k] as number),
        );
      },
      { iterations: 200, seed },
    );
    SHIFT_PERCENTILES.forEach((p, k) => {
      out.push({
        scenario,
        latency,
        percentile: p,
        base: bAll[k] ?? null,
        cand: cAll[k] ?? null,
        interval: intervals[k] ?? null,
      });
    });
  }
  return out;
}
