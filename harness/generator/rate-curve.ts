/**
 * The offered rate as a function of time since the load started, and its integral. A uniform
 * open-loop schedule puts message i at the time the integral reaches i, so a constant 5000/s
 * spaces messages exactly 200 µs apart and a ramp spaces them ever closer.
 */

import type { RateSpec } from "../scenario/schema.ts";

interface Segment {
  startS: number;
  endS: number;
  /** Rate at the segment start and end (messages/s); linear in between. */
  r0: number;
  r1: number;
  /** Messages offered before this segment. */
  before: number;
}

export interface RateCurve {
  /** Messages per second at time t (seconds since load start). */
  rateAt(tS: number): number;
  /** Messages offered in [0, t). */
  cumulative(tS: number): number;
  /** The time at which the cumulative count reaches n; Infinity if never. */
  inverse(n: number): number;
}

function segmentsFor(spec: RateSpec, loadS: number): Segment[] {
  const raw: Omit<Segment, "before">[] = [];
  if (typeof spec === "number") raw.push({ startS: 0, endS: loadS, r0: spec, r1: spec });
  else if (spec.kind === "constant") raw.push({ startS: 0, endS: loadS, r0: spec.rate, r1: spec.rate });
  else if (spec.kind === "ramp") raw.push({ startS: 0, endS: loadS, r0: spec.from, r1: spec.to });
  else {
    let t = 0;
    for (const s of spec.steps) {
      raw.push({ startS: t, endS: t + s.forMs / 1000, r0: s.rate, r1: s.rate });
      t += s.forMs / 1000;
    }
    const last = spec.steps[spec.steps.length - 1];
    if (last && t < loadS) raw.push({ startS: t, endS: loadS, r0: last.rate, r1: last.rate });
  }
  const out: Segment[] = [];
  let before = 0;
  for (const s of raw) {
    out.push({ ...s, before });
    before += ((s.r0 + s.r1) / 2) * (s.endS - s.startS);
  }
  return out;
}

/** Builds the curve of a rate spec over a load of `loadMs` milliseconds. */
export function rateCurve(spec: RateSpec, loadMs: number): RateCurve {
  const segs = segmentsFor(spec, loadMs / 1000);
  const find = (tS: number) => segs.find((s) => tS >= s.startS && tS < s.endS);
  return {
    rateAt(tS) {
      const s = find(tS);
      if (!s) return 0;
      return s.r0 + ((s.r1 - s.r0) * (tS - s.startS)) / (s.endS - s.startS);
    },
    cumulative(tS) {
      let total = 0;
      for (const s of segs) {
        if (tS <= s.startS) break;
        const d = Math.min(tS, s.endS) - s.startS;
        const slope = (s.r1 - s.r0) / (s.endS - s.startS);
        total = s.before + s.r0 * d + (slope * d * d) / 2;
      }
      return total;
    },
    inverse(n) {
      for (const s of segs) {
        const len = s.endS - s.startS;
        const inSeg = ((s.r0 + s.r1) / 2) * len;
        // Message n belongs to the segment where before ≤ n < before + inSeg; a message exactly at
        // a boundary starts the next segment that offers anything (never a 0/s one).
        if (n > s.before + inSeg || inSeg === 0) continue;
        if (n === s.before + inSeg && segs.some((later) => later.startS >= s.endS && later.r0 + later.r1 > 0))
          continue;
        const m = n - s.before;
        const slope = (s.r1 - s.r0) / len;
        if (Math.abs(slope) < 1e-12) return s.startS + m / s.r0;
        // Solve r0·d + slope·d²/2 = m for the root inside the segment.
        const d = (-s.r0 + Math.sqrt(s.r0 * s.r0 + 2 * slope * m)) / slope;
        return s.startS + d;
      }
      return Number.POSITIVE_INFINITY;
    },
  };
}
