/**
 * One offset, two messages: a bug, or the log's documented way to lose data? Every batch a leader
 * appends carries its leader epoch, and a leader never gives one offset to two batches within its
 * epoch. So two messages read at one partition offset in the SAME epoch are a genuine
 * inconsistency (`inconsistentOffsets`), while a message read in epoch e1 whose offset a later
 * leader (epoch e2 > e1) re-used is the acks=1 / unclean-election loss mechanism: the offset was
 * truncated, then rewritten (`truncatedRewritten`). The final log (what the replicas held at the
 * end, below the highest high watermark) shows rewrites nobody read: a message read at an offset
 * the final log holds in a later epoch was truncated too. Reads without an epoch (older histories,
 * clients that do not expose it) are judged as before: any clash is inconsistent.
 */

import type { DeliverOp, Op, ReplicasOp } from "../history/op.ts";

export interface OffsetClashes {
  /** Offsets holding two different messages in one leader epoch (or with an unknown epoch). */
  inconsistentOffsets: number;
  /** Offsets whose message of one epoch was truncated and re-used by a later epoch. */
  truncatedRewritten: number;
}

/** Per partition, the committed batches of the final log: [baseOffset, lastOffset, epoch], ascending. */
export type FinalLog = Map<number, Array<[number, number, number]>>;

/**
 * The final log of each partition recorded at the end of the run: the replica with the highest
 * high watermark, its batches below that watermark (above it a replica may still be truncated).
 */
export function finalLogOf(recs: readonly ReplicasOp[]): FinalLog {
  const out: FinalLog = new Map();
  for (const r of recs) {
    let best: ReplicasOp["replicas"][number] | undefined;
    for (const x of r.replicas) if (!best || x.highWatermark > best.highWatermark) best = x;
    if (!best) continue;
    const hw = best.highWatermark;
    out.set(
      r.partition,
      best.batches
        .filter((b) => b.baseOffset < hw)
        .map((b) => [b.baseOffset, Math.min(b.lastOffset, hw - 1), b.epoch] as [number, number, number])
        .sort((a, b) => a[0] - b[0]),
    );
  }
  return out;
}

/** The epoch of the final log's batch holding `offset`, if the final log reaches it. */
export function epochAt(log: FinalLog, partition: number, offset: number): number | undefined {
  const batches = log.get(partition);
  if (!batches) return undefined;
  let lo = 0;
  let hi = batches.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [base, last, epoch] = batches[mid] as [number, number, number];
    if (offset < base) hi = mid - 1;
    else if (offset > last) lo = mid + 1;
    else return epoch;
  }
  return undefined;
}

/**
 * What was read at one offset: each distinct message, with the epochs it was read in (-1: unknown)
 * and when it was first read in each.
 */
type Slot = Map<string, Map<number, number>>;

export function offsetClashes(reads: readonly DeliverOp[], finalLog: FinalLog = new Map()): OffsetClashes {
  const { inconsistentOffsets, truncatedRewritten } = classifyOffsets(reads, finalLog);
  return { inconsistentOffsets, truncatedRewritten };
}

/**
 * When each truncated-then-rewritten offset's older message was first read (µs), one per offset,
 * from a history's reads and its recorded final log: what the per-fault attribution charges.
 */
export function truncatedReadTimes(ops: readonly Op[]): number[] {
  const reads: DeliverOp[] = [];
  const recs: ReplicasOp[] = [];
  for (const op of ops) {
    if (op.f === "deliver") reads.push(op as DeliverOp);
    else if (op.f === "replicas") recs.push(op as ReplicasOp);
  }
  return classifyOffsets(reads, finalLogOf(recs)).truncatedReadUs;
}

function classifyOffsets(
  reads: readonly DeliverOp[],
  finalLog: FinalLog,
): OffsetClashes & { truncatedReadUs: number[] } {
  const slots = new Map<number, Map<number, Slot>>();
  for (const d of reads) {
    if (d.partition === undefined || d.offset === undefined) continue;
    let part = slots.get(d.partition);
    if (!part) {
      part = new Map();
      slots.set(d.partition, part);
    }
    const epoch = d.epoch ?? -1;
    for (let i = 0; i <= d.to - d.from; i++) {
      const off = d.offset + i;
      const key = `${d.producer}:${d.from + i}`;
      let slot = part.get(off);
      if (!slot) {
        slot = new Map();
        part.set(off, slot);
      }
      const epochs = slot.get(key);
      if (!epochs) slot.set(key, new Map([[epoch, d.t]]));
      else if (!epochs.has(epoch)) epochs.set(epoch, d.t);
    }
  }
  let inconsistentOffsets = 0;
  let truncatedRewritten = 0;
  const truncatedReadUs: number[] = [];
  for (const [partition, part] of slots) {
    for (const [offset, slot] of part) {
      const final = epochAt(finalLog, partition, offset);
      const verdict = judge(slot, final);
      if (verdict === "inconsistent") inconsistentOffsets++;
      else if (verdict === "rewritten") {
        truncatedRewritten++;
        truncatedReadUs.push(firstTruncatedRead(slot, final));
      }
    }
  }
  return { inconsistentOffsets, truncatedRewritten, truncatedReadUs };
}

/** When a message of an epoch older than the offset's last one (read or final) was first read. */
function firstTruncatedRead(slot: Slot, final: number | undefined): number {
  let last = final ?? -1;
  for (const epochs of slot.values()) for (const e of epochs.keys()) last = Math.max(last, e);
  let first = Number.POSITIVE_INFINITY;
  for (const epochs of slot.values()) for (const [e, t] of epochs) if (e < last && t < first) first = t;
  return first;
}

function judge(slot: Slot, final: number | undefined): "ok" | "inconsistent" | "rewritten" {
  // One message per epoch, else the same epoch gave the offset twice (or an epoch is unknown).
  const owner = new Map<number, string>();
  let maxEpoch = -1;
  for (const [key, epochs] of slot) {
    for (const e of epochs.keys()) {
      if (e < 0 && slot.size > 1) return "inconsistent";
      const had = owner.get(e);
      if (had !== undefined && had !== key) return "inconsistent";
      owner.set(e, key);
      if (e > maxEpoch) maxEpoch = e;
    }
  }
  // An offset's later epochs replace earlier ones; the final log going back to an older epoch
  // than one read there would be its own inconsistency.
  if (final !== undefined && maxEpoch >= 0 && final < maxEpoch) return slot.size > 1 ? "inconsistent" : "ok";
  if (slot.size > 1) return "rewritten";
  // One message read there, but the final log holds that offset in a later epoch: rewritten unread.
  if (final !== undefined && maxEpoch >= 0 && final > maxEpoch) return "rewritten";
  return "ok";
}
