/**
 * Producer id allocation. Ids must never repeat, also across restarts and crashes (a reused id
 * would make a new producer's batches look like another's duplicates), so the next free id is
 * persisted — in blocks, as Kafka's controller hands out blocks of ids, so only one allocation in
 * BLOCK touches the disk. After a crash the rest of the block is skipped, never reused.
 *
 * File: DATA/producer-ids => the first id of the next unallocated block (decimal).
 */

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";

const BLOCK = 1000;

export class ProducerIds {
  private readonly path: string;
  private next: number;
  private blockEnd: number;

  constructor(dataDir: string) {
    this.path = join(dataDir, "producer-ids");
    const stored = existsSync(this.path) ? Number(readFileSync(this.path, "utf8").trim()) : 0;
    this.next = Number.isSafeInteger(stored) && stored >= 0 ? stored : 0;
    this.blockEnd = this.next;
  }

  /** A fresh producer id with epoch 0. */
  allocate(): { producerId: number; producerEpoch: number } {
    if (this.next >= this.blockEnd) {
      this.blockEnd = this.next + BLOCK;
      this.persist(this.blockEnd);
    }
    return { producerId: this.next++, producerEpoch: 0 };
  }

  private persist(value: number): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, `${value}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
