/**
 * Which partition (stream, subject) a message goes to, for targets whose clients have no
 * partitioner of their own: a keyed message by a hash of its key, so one key always lands in one
 * partition; unkeyed messages stick to one partition per send, rotating from send to send (as
 * Kafka's sticky partitioner does, KIP-480), so a producer's consecutive messages stay together
 * and deliveries stay compact id ranges.
 */

import type { PlannedMessage } from "../../generator/schedule.ts";

/** FNV-1a, 32 bits: stable across runs and processes. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class StickyPartitioner {
  private readonly sends: number[] = [];

  constructor(private readonly partitions: number) {}

  /** The partition of every message of one send, in order. */
  assign(producer: number, batch: readonly Pick<PlannedMessage, "key">[]): number[] {
    const n = this.sends[producer] ?? 0;
    this.sends[producer] = n + 1;
    const sticky = (producer + n) % this.partitions;
    return batch.map((m) => (m.key === undefined ? sticky : keyHash(m.key) % this.partitions));
  }
}
