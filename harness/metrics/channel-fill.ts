/**
 * Per-node, per-second channel fill from the sampler's `sample` ops. Shared by the analysis (for
 * results.json) and the report builder (for a results.json written before the field existed).
 * A second keeps its peak sample: a channel that touched 100% is what a reader looks for.
 */

import type { Op, SampleOp } from "../history/op.ts";
import type { ChannelFillPoint, NodeSeries } from "../results/types.ts";

export function channelFillSeries(ops: readonly Op[]): Record<string, NodeSeries> {
  const byNode = new Map<string, Map<number, ChannelFillPoint>>();
  for (const op of ops) {
    if (op.f !== "sample") continue;
    const s = op as SampleOp;
    if (s.t < 0 || typeof s.node !== "string" || !s.metrics) continue;
    const t = Math.floor(s.t / 1e6);
    const secs = byNode.get(s.node) ?? new Map<number, ChannelFillPoint>();
    byNode.set(s.node, secs);
    const prev = secs.get(t);
    const fillPct = s.metrics.channelFillPercentage;
    if (!prev || fillPct > prev.fillPct) secs.set(t, { t, size: s.metrics.channelSize, fillPct });
  }
  const out: Record<string, NodeSeries> = {};
  for (const node of [...byNode.keys()].sort()) {
    const secs = byNode.get(node) as Map<number, ChannelFillPoint>;
    out[node] = { channelFill: [...secs.values()].sort((a, b) => a.t - b.t) };
  }
  return out;
}
