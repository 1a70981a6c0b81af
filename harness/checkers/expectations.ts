/**
 * Evaluates a scenario's expectations against a results object: one check per expectation, named
 * after it, with the measured value in its detail. A path that has no value (a fault that never
 * recovered has recoveryMs null) makes the check false for `<`-style bounds and unknown otherwise.
 */

import type { Check } from "../results/types.ts";
import type { Expectation } from "../scenario/expectation.ts";
import { compare, readPath } from "../scenario/expectation.ts";
import type { Checker } from "./checker.ts";

export function checkExpectations(results: unknown, expectations: readonly Expectation[]): Check[] {
  return expectations.map((e) => {
    const name = `expect ${e.path} ${e.op} ${e.value}`;
    let actual = readPath(results, e.path);
    // A latency figure from an empty histogram reads 0 ms but measured nothing.
    const lat = /^(latency\.(?:publish|endToEnd)(?:\.corrected)?)\.(?!count$)[a-z0-9]+$/.exec(e.path);
    if (lat && readPath(results, `${lat[1]}.count`) === 0) actual = null;
    if (actual === undefined) return { name, valid: "unknown", detail: `${e.path} is not in the results` };
    if (actual === null) {
      const bounded = e.op === "<" || e.op === "<=";
      return {
        name,
        valid: bounded ? false : "unknown",
        detail: `${e.path} has no value (nothing measured, or never reached)`,
      };
    }
    const ok = compare(actual, e.op, e.value);
    return { name, valid: ok, detail: `${e.path} = ${round(actual)} (expected ${e.source})` };
  });
}

function round(n: number): number {
  return Number.isInteger(n) ? n : Number(n.toFixed(3));
}

/** Merges validity the Jepsen way: false beats unknown beats true. */
export function mergeValidity(checks: readonly Check[]): true | false | "unknown" {
  if (checks.some((c) => c.valid === false)) return false;
  if (checks.some((c) => c.valid === "unknown")) return "unknown";
  return true;
}

/** The scenario's expectations as a Checker, read from the results computed so far. */
export const expectationsChecker: Checker = {
  name: "expectations",
  check: (_history, context) => checkExpectations(context.results, context.scenario.expectations),
};
