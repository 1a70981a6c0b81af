/**
 * The log's order anomalies under the names Jepsen's Kafka checker uses, so users recognise them.
 * What the history knows: each delivery's partition and offset, and each send's outcome. Messages
 * never read have no known offset, so the two "acked but never read" anomalies are told apart by
 * the producer's own later messages:
 * - lostWrite: acked, never read, although a later message of the same producer was read — the
 *   consumers went past where it belonged;
 * - unseen: acked, never read, and nothing the producer sent later was read either;
 * - duplicate: one message at two or more different offsets (or partitions);
 * - inconsistentOffsets: one offset read with two different messages;
 * - pollSkip: a consumer's next read of a partition jumped over offsets that exist (someone read
 *   them at some point) but that no consumer had read yet — data it went past (a jump over offsets
 *   another consumer already read, after a rebalance, is not a skip);
 * - nonmonotonicPoll: a consumer read an offset at or below one it had already read (a rewind:
 *   rebalances and restarts do this; the old name is `rewinds`);
 * - nonmonotonicSend: a producer's later message sits at a lower offset of a partition than an
 *   earlier one (the old name is `reordered`).
 */

import type { DeliverOp, Op } from "../history/op.ts";
import { ACKED, type MessageTable } from "./message-table.ts";

export interface OrderAnomalies {
  lostWrite: number;
  unseen: number;
  duplicate: number;
  pollSkip: number;
}

export function orderAnomalies(ops: readonly Op[], table: MessageTable): OrderAnomalies {
  // Every (partition, offset) read by anyone, and each message's distinct positions.
  const exists = new Map<number, Set<number>>();
  const positions = new Map<string, Set<string>>();
  const reads: DeliverOp[] = [];
  for (const op of ops) {
    if (op.f !== "deliver") continue;
    const d = op as DeliverOp;
    if (d.partition === undefined || d.offset === undefined) continue;
    reads.push(d);
    let set = exists.get(d.partition);
    if (!set) {
      set = new Set();
      exists.set(d.partition, set);
    }
    for (let i = 0; i <= d.to - d.from; i++) {
      set.add(d.offset + i);
      const key = `${d.producer}:${d.from + i}`;
      const at = `${d.partition}@${d.offset + i}`;
      const p = positions.get(key);
      if (p) p.add(at);
      else positions.set(key, new Set([at]));
    }
  }
  let duplicate = 0;
  for (const p of positions.values()) if (p.size > 1) duplicate++;

  let pollSkip = 0;
  const last = new Map<string, number>();
  const readSoFar = new Map<number, Set<number>>();
  for (const d of reads) {
    const stream = `${d.process}/${d.partition}`;
    const prev = last.get(stream);
    const have = exists.get(d.partition as number) as Set<number>;
    let seen = readSoFar.get(d.partition as number);
    if (!seen) {
      seen = new Set();
      readSoFar.set(d.partition as number, seen);
    }
    if (prev !== undefined && (d.offset as number) > prev + 1) {
      for (let o = prev + 1; o < (d.offset as number); o++) if (have.has(o) && !seen.has(o)) pollSkip++;
    }
    for (let i = 0; i <= d.to - d.from; i++) seen.add((d.offset as number) + i);
    last.set(stream, (d.offset as number) + (d.to - d.from));
  }

  let lostWrite = 0;
  let unseen = 0;
  if (exists.size > 0) {
    for (const p of table.producers) {
      let laterRead = false;
      for (let q = p.state.length - 1; q >= 0; q--) {
        if ((p.delivered[q] as number) > 0) {
          laterRead = true;
          continue;
        }
        if (p.state[q] !== ACKED) continue;
        if (laterRead) lostWrite++;
        else unseen++;
      }
    }
  }
  return { lostWrite, unseen, duplicate, pollSkip };
}
