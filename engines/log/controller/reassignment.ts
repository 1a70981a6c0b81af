/**
 * Partition reassignment (KIP-455, as KRaft's controller runs it), as pure functions of a
 * partition's state. A reassignment never copies data itself; it only changes the assignment, and
 * the normal replication path does the rest:
 *  - start: `replicas` becomes the target followed by the original replicas not in it, with
 *    `addingReplicas` (target − original) and `removingReplicas` (original − target) recorded in
 *    the partition, so the state survives a controller failover like any other;
 *  - the adding replicas follow the leader, catch up and join the ISR through AlterPartition;
 *  - complete, in the same change that makes the ISR hold every target replica: `replicas` = the
 *    target, the removed replicas leave the ISR, leadership moves to a target replica in the ISR
 *    if the leader was removed;
 *  - cancel (null replicas): the adding replicas are dropped from `replicas` and the ISR, the
 *    original assignment is back.
 * The leader epoch is bumped when the leader changes and when replicas are removed (KRaft does the
 * latter too, so a removed follower's next fetch is fenced); the partition epoch on every change.
 */

import { ErrorCode } from "../protocol/error-codes.ts";
import {
  liveBrokers,
  type MetadataImage,
  type MetadataRecord,
  type PartitionState,
} from "./metadata-image.ts";

export type ReassignResult =
  | { ok: true; state: PartitionState }
  | { ok: false; errorCode: number; message: string };

/** The replicas a reassignment in progress moves to (the assignment itself when none is). */
export function targetReplicas(p: PartitionState): number[] {
  const removing = p.removingReplicas ?? [];
  return p.replicas.filter((b) => !removing.includes(b));
}

export function isReassigning(p: PartitionState): boolean {
  return (p.addingReplicas?.length ?? 0) > 0 || (p.removingReplicas?.length ?? 0) > 0;
}

function withoutReassignment(p: PartitionState): PartitionState {
  const { addingReplicas: _a, removingReplicas: _r, ...rest } = p;
  return rest;
}

/** Checks a requested target: non-empty, no duplicates, every broker registered. */
export function validateTarget(target: readonly number[], registered: ReadonlySet<number>): string | null {
  if (target.length === 0) return "the replica list is empty";
  if (new Set(target).size !== target.length) return `the replica list [${target}] names a broker twice`;
  const unknown = target.filter((b) => !registered.has(b));
  if (unknown.length > 0) return `broker(s) ${unknown.join(", ")} are not registered`;
  return null;
}

/**
 * Starts (or replaces) a reassignment of `p` to `target`. A new target while one is in progress
 * counts from the current replica set, as KRaft's does (so cancelling later drops only the latest
 * additions). Completes at once when the ISR already holds every target replica.
 */
export function startReassignment(
  p: PartitionState,
  target: readonly number[],
  registered: ReadonlySet<number>,
  live: ReadonlySet<number>,
): ReassignResult {
  const bad = validateTarget(target, registered);
  if (bad) return { ok: false, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: bad };
  const current = p.replicas;
  const adding = target.filter((b) => !current.includes(b));
  const removing = current.filter((b) => !target.includes(b));
  const next: PartitionState = {
    ...withoutReassignment(p),
    replicas: [...target, ...removing],
    partitionEpoch: p.partitionEpoch + 1,
  };
  if (adding.length > 0 || removing.length > 0) {
    next.addingReplicas = adding;
    next.removingReplicas = removing;
  }
  return { ok: true, state: tryCompleteReassignment(next, live) };
}

/**
 * The state once every target replica is in the ISR: replicas = target, removed replicas out of
 * the ISR, a new leader (from the target, in target order, in the ISR and live) if the leader was
 * removed. Unchanged when the reassignment cannot complete yet or none is in progress.
 */
export function tryCompleteReassignment(p: PartitionState, live: ReadonlySet<number>): PartitionState {
  if (!isReassigning(p)) return p;
  const target = targetReplicas(p);
  if (!target.every((b) => p.isr.includes(b))) return p;
  const isr = p.isr.filter((b) => target.includes(b));
  const leader = target.includes(p.leader)
    ? p.leader
    : (target.find((b) => isr.includes(b) && live.has(b)) ?? -1);
  const removed = (p.removingReplicas ?? []).length > 0;
  return {
    ...withoutReassignment(p),
    replicas: target,
    isr,
    leader,
    leaderEpoch: leader !== p.leader || removed ? p.leaderEpoch + 1 : p.leaderEpoch,
    partitionEpoch: p.partitionEpoch + 1,
  };
}

/** Cancels a reassignment in progress (AlterPartitionReassignments with null replicas). */
export function cancelReassignment(p: PartitionState, live: ReadonlySet<number>): ReassignResult {
  if (!isReassigning(p))
    return {
      ok: false,
      errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
      message: "no reassignment is in progress for this partition",
    };
  const adding = p.addingReplicas ?? [];
  const replicas = p.replicas.filter((b) => !adding.includes(b));
  const isr = p.isr.filter((b) => !adding.includes(b));
  if (isr.length === 0) {
    // Only added replicas are in sync (the originals were fenced): reverting would need an
    // unclean election; refuse instead and let the reassignment finish.
    return {
      ok: false,
      errorCode: ErrorCode.INVALID_REQUEST,
      message:
        "no original replica is in the ISR: cancelling would leave the partition without an in-sync replica",
    };
  }
  const leader = replicas.includes(p.leader) ? p.leader : (isr.find((b) => live.has(b)) ?? -1);
  return {
    ok: true,
    state: {
      ...withoutReassignment(p),
      replicas,
      isr,
      leader,
      leaderEpoch: leader !== p.leader || adding.length > 0 ? p.leaderEpoch + 1 : p.leaderEpoch,
      partitionEpoch: p.partitionEpoch + 1,
    },
  };
}

export interface ReassignRequestTopic {
  name: string;
  partitions: Array<{ partitionIndex: number; replicas: number[] | null }>;
}

export interface ReassignOutcome {
  name: string;
  partitions: Array<{ partitionIndex: number; errorCode: number; errorMessage: string | null }>;
}

/**
 * An AlterPartitionReassignments request against the image: each partition's answer and the
 * records that start, replace or cancel its reassignment (committed together by the caller).
 * A partition named twice takes the later entry on top of the earlier one.
 */
export function planReassignments(
  image: MetadataImage,
  topics: readonly ReassignRequestTopic[],
): { results: ReassignOutcome[]; records: MetadataRecord[]; changes: string[] } {
  const registered = new Set(Object.keys(image.brokers).map(Number));
  const live = new Set(liveBrokers(image));
  const pending = new Map<string, PartitionState>();
  const changes: string[] = [];
  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((req) => {
      const answer = (errorCode: number, errorMessage: string | null) => ({
        partitionIndex: req.partitionIndex,
        errorCode,
        errorMessage,
      });
      const key = `${t.name}\u0000${req.partitionIndex}`;
      const p = pending.get(key) ?? image.topics[t.name]?.partitions[req.partitionIndex];
      if (!p) {
        const what = image.topics[t.name] ? `partition ${req.partitionIndex} of` : "";
        return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${what} topic ${t.name} does not exist`.trim());
      }
      const r =
        req.replicas === null
          ? cancelReassignment(p, live)
          : startReassignment(p, req.replicas, registered, live);
      if (!r.ok) return answer(r.errorCode, r.message);
      pending.set(key, r.state);
      changes.push(
        `${t.name}-${req.partitionIndex}: ${req.replicas === null ? "reassignment cancelled" : `reassigning to [${req.replicas}]`}, replicas [${p.replicas}] → [${r.state.replicas}], isr [${r.state.isr}], leader ${r.state.leader} epoch ${r.state.leaderEpoch}`,
      );
      return answer(0, null);
    }),
  }));
  const records: MetadataRecord[] = [...pending].map(([key, state]) => {
    const i = key.lastIndexOf("\u0000");
    return { type: "partitionChange", topic: key.slice(0, i), partition: Number(key.slice(i + 1)), state };
  });
  return { results, records, changes };
}

/** ListPartitionReassignments: the partitions with a reassignment in progress (all, or those asked for). */
export function listReassignments(
  image: MetadataImage,
  topics: ReadonlyArray<{ name: string; partitionIndexes: number[] }> | null,
): Array<{
  name: string;
  partitions: Array<{
    partitionIndex: number;
    replicas: number[];
    addingReplicas: number[];
    removingReplicas: number[];
  }>;
}> {
  const asked: ReadonlyArray<{ name: string; partitionIndexes: number[] | null }> =
    topics ??
    Object.keys(image.topics)
      .sort()
      .map((name) => ({ name, partitionIndexes: null }));
  const out = [];
  for (const t of asked) {
    const parts = image.topics[t.name]?.partitions ?? [];
    const indexes = t.partitionIndexes ?? parts.map((_, i) => i);
    const partitions = indexes
      .filter((i) => parts[i] !== undefined && isReassigning(parts[i]!))
      .map((i) => ({
        partitionIndex: i,
        replicas: parts[i]!.replicas,
        addingReplicas: parts[i]!.addingReplicas ?? [],
        removingReplicas: parts[i]!.removingReplicas ?? [],
      }));
    if (partitions.length > 0) out.push({ name: t.name, partitions });
  }
  return out;
}
