/**
 * Idempotent producers' state in one partition, as Kafka keeps it (ProducerStateManager): per
 * producer id its epoch and the sequence ranges of its last five appended batches, so a retried
 * batch is recognised and answered with its original offsets instead of being written twice.
 *
 * Rules for a batch (pid, epoch, firstSeq..lastSeq):
 *  - unknown producer: firstSeq must be 0;
 *  - older epoch: INVALID_PRODUCER_EPOCH (a fenced producer);
 *  - newer epoch: starts over, firstSeq must be 0;
 *  - same epoch: one of the last five batches exactly → duplicate; otherwise firstSeq must follow
 *    the last batch's lastSeq (sequences wrap after 2^31 − 1) → else OUT_OF_ORDER_SEQUENCE_NUMBER.
 *
 * The state is a pure function of the batches appended, so it can always be rebuilt by replaying
 * the log's batch headers; a snapshot (`toJSON`) only saves the replay.
 */

import { ErrorCode } from "../protocol/error-codes.ts";

/** How many recent batches per producer are remembered for duplicate detection (Kafka: 5). */
export const RECENT_BATCHES = 5;
const MAX_SEQ = 2147483647;

export interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface Entry {
  epoch: number;
  /** Oldest first, at most RECENT_BATCHES. */
  batches: BatchMeta[];
}

export type SequenceCheck =
  | { kind: "append" }
  | { kind: "duplicate"; firstOffset: number; lastOffset: number }
  | { kind: "error"; errorCode: number };

/** The last sequence of a batch of `count` records starting at `firstSeq` (wrapping). */
export function lastSequence(firstSeq: number, count: number): number {
  return (firstSeq + count - 1) % (MAX_SEQ + 1);
}

const nextSequence = (seq: number): number => (seq === MAX_SEQ ? 0 : seq + 1);

export class ProducerStateTable {
  private readonly producers = new Map<number, Entry>();

  get size(): number {
    return this.producers.size;
  }

  /** Decides what to do with a batch; does not change the state. */
  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): SequenceCheck {
    const e = this.producers.get(producerId);
    if (!e || epoch > e.epoch) {
      return firstSeq === 0
        ? { kind: "append" }
        : { kind: "error", errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    if (epoch < e.epoch) return { kind: "error", errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    const dup = e.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: "duplicate", firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
    const last = e.batches[e.batches.length - 1];
    if (last && firstSeq !== nextSequence(last.lastSeq)) {
      return { kind: "error", errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    return { kind: "append" };
  }

  /** Records an appended batch (also used when replaying the log). */
  record(producerId: number, epoch: number, batch: BatchMeta): void {
    let e = this.producers.get(producerId);
    if (!e || epoch !== e.epoch) {
      e = { epoch, batches: [] };
      this.producers.set(producerId, e);
    }
    e.batches.push(batch);
    if (e.batches.length > RECENT_BATCHES) e.batches.shift();
  }

  /** The last offset of each producer's newest batch (the log cleaner keeps those batches whole). */
  lastBatchOffsets(): Set<number> {
    const out = new Set<number>();
    for (const e of this.producers.values()) {
      const last = e.batches.at(-1);
      if (last) out.add(last.lastOffset);
    }
    return out;
  }

  toJSON(): Array<[number, Entry]> {
    return [...this.producers];
  }

  static fromJSON(data: unknown): ProducerStateTable {
    const t = new ProducerStateTable();
    if (!Array.isArray(data)) return t;
    for (const item of data) {
      if (!Array.isArray(item) || item.length !== 2) continue;
      const [pid, e] = item as [unknown, Entry];
      if (typeof pid !== "number" || typeof e?.epoch !== "number" || !Array.isArray(e.batches)) continue;
      t.producers.set(pid, { epoch: e.epoch, batches: e.batches.slice(-RECENT_BATCHES) });
    }
    return t;
  }
}
