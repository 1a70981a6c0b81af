/**
 * The consumer group's own story during a run, from the `group` ops its clients reported (kafkajs's
 * instrumentation events): every rebalance, crash and completed join after the load began, with
 * how long that consumer had delivered nothing before it and how long until it delivered again.
 * A delivery pause that sits on such an event is the client's group protocol at work (kafkajs stops
 * every fetcher, waits for their polls to end, rejoins, then resumes), not the engine's failover;
 * reading the two side by side is what lets a report credit a pause to the right party.
 */

import type { ConsumerGroupOp, DeliverOp, Op } from "../history/op.ts";
import type { ConsumerGroupEventRow } from "../results/types.ts";

const ms = (us: number) => Math.round(us / 1000);

/** The group events of the run (t ≥ 0, in time order), or undefined when no consumer reported any. */
export function consumerGroupEvents(ops: readonly Op[]): ConsumerGroupEventRow[] | undefined {
  const events = ops.filter((o): o is ConsumerGroupOp => o.f === "group" && o.t >= 0);
  if (events.length === 0) return undefined;
  const deliveries = new Map<string, number[]>();
  for (const o of ops) {
    if (o.f !== "deliver") continue;
    const node = (o as DeliverOp).node ?? o.process;
    let ts = deliveries.get(node);
    if (!ts) {
      ts = [];
      deliveries.set(node, ts);
    }
    ts.push(o.t);
  }
  for (const ts of deliveries.values()) ts.sort((a, b) => a - b);
  return events
    .sort((a, b) => a.t - b.t)
    .map((e) => {
      const ts = deliveries.get(e.node) ?? [];
      const next = firstAtOrAfter(ts, e.t);
      const before = next > 0 ? ts[next - 1] : undefined;
      const after = next < ts.length ? ts[next] : undefined;
      const row: ConsumerGroupEventRow = {
        atMs: ms(e.t),
        node: e.node,
        event: e.event,
        quietBeforeMs: before === undefined ? null : ms(e.t - before),
        quietAfterMs: after === undefined ? null : ms(after - e.t),
      };
      if (e.durationMs !== undefined) row.durationMs = e.durationMs;
      if (e.leader !== undefined) row.leader = e.leader;
      if (e.partitions !== undefined) row.partitions = e.partitions;
      if (e.error !== undefined) row.error = e.error;
      if (e.restart !== undefined) row.restart = e.restart;
      return row;
    });
}

/** Index of the first element ≥ t in an ascending array (its length when none). */
function firstAtOrAfter(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One line per event for the run summary (at most `max`, then how many more). */
export function consumerGroupLines(rows: readonly ConsumerGroupEventRow[], max = 8): string[] {
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  const quiet = (x: number | null) => (x === null ? "—" : `${x} ms`);
  const out = rows.slice(0, max).map((r) => {
    const what =
      r.event === "join"
        ? `joined in ${r.durationMs ?? "?"} ms${r.leader ? " as leader" : ""}, ${r.partitions?.length ?? 0} partitions`
        : r.event === "crash"
          ? `crashed (${r.error}${r.restart ? ", restarting" : ""})`
          : r.event === "rebalancing"
            ? "stopped fetching to rejoin (rebalance)"
            : `request timed out (${r.error})`;
    return `${r.node} at ${s(r.atMs)}: ${what}; no delivery for ${quiet(r.quietBeforeMs)} before, next ${quiet(r.quietAfterMs)} after`;
  });
  if (rows.length > max) out.push(`… and ${rows.length - max} more in results.json (consumerGroup)`);
  return out;
}
