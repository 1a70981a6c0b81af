/**
 * Per-partition order for the log engine (after Jepsen's Kafka checker). Reading the partition's
 * deliveries by offset: one offset must always hold the same message within a leader epoch (else
 * "inconsistent offsets"; one re-used by a later epoch is "truncated then rewritten", see
 * offset-epochs.ts), a producer's messages must appear in the order it sent them (else "reordered"), and
 * offsets never read between the first and last one read are reported as gaps — records that
 * were in the log but never reached a consumer, or offsets the log skipped.
 */

import type { DeliverOp, Op, ReplicasOp } from "../history/op.ts";
import type { Check } from "../results/types.ts";
import { finalLogOf, offsetClashes } from "./offset-epochs.ts";

export interface PartitionOrder {
  partitions: number;
  /** Offsets read with two different messages in one leader epoch (or with no epoch known). */
  inconsistentOffsets: number;
  /**
   * Offsets read holding a message of one leader epoch that a later epoch truncated and re-used
   * (read again with another message, or held by the final log in a later epoch).
   */
  truncatedRewritten: number;
  /** Messages that appear in a partition before an earlier message of the same producer. */
  reordered: number;
  /** Offsets never read between the lowest and highest read offset of each partition. */
  gaps: number;
  /** Deliveries that came back to an offset below one already read in the same consumer's stream. */
  rewinds: number;
}

export function partitionOrder(ops: readonly Op[]): PartitionOrder | undefined {
  // partition -> offset -> message key "p:seq"
  const byPartition = new Map<number, Map<number, string>>();
  const reads: DeliverOp[] = [];
  const replicas: ReplicasOp[] = [];
  const lastOffset = new Map<string, number>();
  let rewinds = 0;
  for (const op of ops) {
    if (op.f === "replicas") replicas.push(op as ReplicasOp);
    if (op.f !== "deliver") continue;
    const d = op as DeliverOp;
    if (d.partition === undefined || d.offset === undefined) continue;
    reads.push(d);
    let m = byPartition.get(d.partition);
    if (!m) {
      m = new Map();
      byPartition.set(d.partition, m);
    }
    const stream = `${d.process}/${d.partition}`;
    const prev = lastOffset.get(stream);
    if (prev !== undefined && d.offset <= prev) rewinds++;
    lastOffset.set(stream, d.offset + (d.to - d.from));
    for (let i = 0; i <= d.to - d.from; i++) {
      const off = d.offset + i;
      const key = `${d.producer}:${d.from + i}`;
      if (!m.has(off)) m.set(off, key);
    }
  }
  if (byPartition.size === 0) return undefined;
  let reordered = 0;
  let gaps = 0;
  for (const m of byPartition.values()) {
    const offsets = [...m.keys()].sort((a, b) => a - b);
    const first = offsets[0] as number;
    const last = offsets[offsets.length - 1] as number;
    gaps += last - first + 1 - offsets.length;
    const lastSeq = new Map<number, number>();
    for (const off of offsets) {
      const [p, q] = (m.get(off) as string).split(":").map(Number) as [number, number];
      const before = lastSeq.get(p);
      if (before !== undefined && q < before) reordered++;
      else lastSeq.set(p, q);
    }
  }
  const clashes = offsetClashes(reads, finalLogOf(replicas));
  return { partitions: byPartition.size, ...clashes, reordered, gaps, rewinds };
}

/**
 * Valid without inconsistent offsets or reordering — except that a scenario which names
 * `order.inconsistentOffsets` or `order.reordered` in its expectations (a power loss that moves
 * the log's end back) judges that figure itself.
 */
export function partitionOrderCheck(o: PartitionOrder, expected: readonly string[] = []): Check {
  const judged = (...names: string[]) => names.some((f) => expected.includes(`order.${f}`));
  return {
    name: "partition-order",
    valid:
      (judged("inconsistentOffsets") || o.inconsistentOffsets === 0) &&
      (judged("reordered", "nonmonotonicSend") || o.reordered === 0),
    detail:
      `${o.partitions} partitions: ${o.inconsistentOffsets} inconsistent offsets, ` +
      `${o.truncatedRewritten} truncated then rewritten by a later leader epoch, ${o.reordered} reordered, ` +
      `${o.gaps} offset gaps, ${o.rewinds} rewinds (re-reads after a rebalance or restart)`,
  };
}
