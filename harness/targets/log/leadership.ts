/**
 * Partition leadership at the end of a log cluster's run: the op the target records from a
 * running broker's Metadata just before the nodes stop, and the `leadership` figures of
 * results.json computed from it — how many partitions each broker leads, and how many are not led
 * by their preferred replica (the first of the assignment). A rolling restart without the
 * controller's preferred-leader rebalance ends with the restarted brokers leading nothing.
 */

import type { LeadershipOp, Op } from "../../history/op.ts";
import type { Leadership } from "../../results/types.ts";

/** One partition as Metadata (v1+) answers it. */
export interface MetadataPartition {
  partitionIndex: number;
  leaderId: number;
  replicaNodes: number[];
}

const name = (id: number) => `broker-${id}`;

export function leadershipOp(
  t: number,
  topic: string,
  brokers: readonly string[],
  partitions: readonly MetadataPartition[],
): LeadershipOp {
  return {
    t,
    process: "harness",
    type: "info",
    f: "leadership",
    topic,
    brokers: [...brokers],
    partitions: [...partitions]
      .sort((a, b) => a.partitionIndex - b.partitionIndex)
      .map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId >= 0 ? name(p.leaderId) : null,
        replicas: p.replicaNodes.map(name),
      })),
  };
}

/** The figures of the last leadership op in the history; undefined when there is none. */
export function leadershipFigures(ops: readonly Op[]): Leadership | undefined {
  let last: LeadershipOp | undefined;
  for (const op of ops) if (op.f === "leadership") last = op as LeadershipOp;
  if (!last) return undefined;
  const byBroker: Record<string, number> = Object.fromEntries(last.brokers.map((b) => [b, 0]));
  let notPreferred = 0;
  let offline = 0;
  for (const p of last.partitions) {
    if (p.leader === null) offline++;
    else byBroker[p.leader] = (byBroker[p.leader] ?? 0) + 1;
    if (p.leader === null || p.leader !== p.replicas[0]) notPreferred++;
  }
  const counts = Object.values(byBroker);
  return {
    topic: last.topic,
    partitions: last.partitions.length,
    byBroker,
    maxPerBroker: counts.length > 0 ? Math.max(...counts) : 0,
    minPerBroker: counts.length > 0 ? Math.min(...counts) : 0,
    notPreferred,
    offline,
  };
}
