/**
 * The knee of a throughput–latency curve (the hockey stick): the highest-throughput point whose
 * p99 is still within `factor` times the curve's lowest p99. Past it, more offered load buys
 * mostly latency. Pure.
 */

export interface CurvePoint {
  throughput: number;
  p99: number;
}

export function kneeIndex(points: readonly CurvePoint[], factor = 2): number | undefined {
  if (points.length === 0) return undefined;
  const floor = Math.min(...points.map((p) => p.p99).filter((x) => x > 0), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(floor)) return undefined;
  let best: number | undefined;
  points.forEach((p, i) => {
    if (
      p.p99 <= factor * floor &&
      (best === undefined || p.throughput > (points[best] as CurvePoint).throughput)
    )
      best = i;
  });
  return best;
}
