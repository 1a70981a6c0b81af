/**
 * Service-level objectives for capacity questions, written like scenario expectations:
 * `latency.endToEnd.corrected.p99 < 50ms`, `delivery.lost == 0`. A step of a capacity search is
 * good when every SLO holds and the engine kept up with the offered load.
 */

import { checkExpectations } from "../checkers/expectations.ts";
import { FaultbenchError } from "../errors.ts";
import type { Check, Results } from "../results/types.ts";
import { checkPath, type Expectation, parseExpectation } from "../scenario/expectation.ts";

export const DEFAULT_SLOS = ["latency.endToEnd.corrected.p99 < 50ms", "delivery.lost == 0"];

/** A step keeps up when acked and delivered throughput reach this share of the offered rate. */
export const KEEP_UP = 0.95;

const sloRe = /^\s*([A-Za-z0-9_.-]+)\s*(==|!=|<=|>=|<|>|=)\s*(.+?)\s*$/;

export function parseSlo(text: string): Expectation {
  const m = sloRe.exec(text);
  if (!m)
    throw new FaultbenchError(
      "FB_USAGE",
      `--slo "${text}": write a results path, a comparison and a value, e.g. --slo 'latency.endToEnd.corrected.p99 < 50ms'`,
    );
  const [, path, op, value] = m as unknown as [string, string, string, string];
  const bad = checkPath(path, []);
  if (bad) throw new FaultbenchError("FB_USAGE", `--slo "${text}": ${bad}`);
  const e = parseExpectation(path, `${op} ${value}`);
  if (typeof e === "string") throw new FaultbenchError("FB_USAGE", `--slo "${text}": ${e}`);
  return { ...e, source: text.trim() };
}

/** Every SLO as a check, plus whether the engine kept up with the offered load. */
export function judge(results: Results, slos: readonly Expectation[]): Check[] {
  const checks = checkExpectations(results, slos).map((c, i) => ({ ...c, name: `slo ${slos[i]?.source}` }));
  const t = results.throughput;
  const need = KEEP_UP * t.offeredPerSec;
  const kept = t.ackedPerSec >= need && t.deliveredPerSec >= need;
  checks.push({
    name: "keeps up",
    valid: kept,
    detail: `offered ${Math.round(t.offeredPerSec)}/s, acked ${Math.round(t.ackedPerSec)}/s, delivered ${Math.round(t.deliveredPerSec)}/s (needs ≥ ${KEEP_UP * 100}% of offered)`,
  });
  return checks;
}
