/**
 * Regression thresholds. A scenario may set them (`regression: { throughput.ackedPerSec: -5%,
 * latency.endToEnd.corrected.p99: +10% }`: the sign says which way is worse); otherwise each
 * figure's default applies, widened to twice the figure's measured robust coefficient of variation (1.4826·MAD/median), so a
 * noisy figure on a noisy machine is not called a regression for moving within its own noise.
 */

import type { Better } from "./figures.ts";

export interface Threshold {
  /** Relative change (0.1 = 10%) past which a worse value is a regression. */
  relative: number;
  /** Which way is worse. */
  worse: "up" | "down";
  source: "scenario" | "default" | "noise";
}

/** Parses "+10%", "-5%" (or a number in percent); a string describing the problem when it is not one. */
export function parseThreshold(v: unknown): { relative: number; worse: "up" | "down" } | string {
  const text = typeof v === "number" ? `${v}%` : String(v).trim();
  const m = /^([+-])\s*(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (!m)
    return `${JSON.stringify(v)} is not a threshold; write the worse direction and a percentage, e.g. +10% (a rise is worse) or -5% (a drop is worse)`;
  return { relative: Number(m[2]) / 100, worse: m[1] === "+" ? "up" : "down" };
}

/** How many coefficients of variation a change must exceed before noise can be ruled out by size alone. */
export const NOISE_MULTIPLE = 2;

export function thresholdFor(
  path: string,
  better: Better,
  defaultRelative: number,
  scenario: Record<string, unknown> | undefined,
  noiseCv: number | null | undefined,
): Threshold {
  const set = scenario?.[path];
  if (set !== undefined) {
    const t = parseThreshold(set);
    if (typeof t !== "string") return { ...t, source: "scenario" };
  }
  const worse = better === "higher" ? "down" : "up";
  if (noiseCv !== null && noiseCv !== undefined && NOISE_MULTIPLE * noiseCv > defaultRelative)
    return { relative: NOISE_MULTIPLE * noiseCv, worse, source: "noise" };
  return { relative: defaultRelative, worse, source: "default" };
}
