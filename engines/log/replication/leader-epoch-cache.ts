/**
 * The leader-epoch checkpoint of one partition replica (KIP-101): the start offset of every
 * leader epoch in this replica's log, as `epoch startOffset` lines in
 * `<topic>-<n>/leader-epoch-checkpoint`. A leader records (epoch, LEO) when it takes over; a
 * follower records each new epoch it sees in fetched batches. It answers
 * OffsetsForLeaderEpoch — the end offset of an epoch is the start of the next one (or the LEO for
 * the latest) — which is how a follower finds where its log diverges from the leader's. Like
 * Kafka's checkpoint files it is written to a temporary file, fsynced, renamed and its directory
 * fsynced, through the shared file-I/O layer, so a power loss cannot leave an epoch cache that
 * disagrees with the log it describes.
 */

import { existsSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { closeFile, fsyncDir, fsyncFile, openFile, renameFile } from "../../shared/file-io.ts";

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  private readonly file: string;

  constructor(partitionDir: string) {
    this.file = join(partitionDir, "leader-epoch-checkpoint");
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, "utf8").split("\n")) {
        const [e, o] = line.trim().split(" ").map(Number);
        if (Number.isInteger(e) && Number.isInteger(o)) this.entries.push({ epoch: e!, startOffset: o! });
      }
    }
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  /** Latest epoch, or −1 for an empty cache. */
  get latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? -1;
  }

  /** Records that `epoch` starts at `startOffset` (ignored unless it is newer than the latest). */
  assign(epoch: number, startOffset: number): void {
    const last = this.entries.at(-1);
    if (last && epoch <= last.epoch) return;
    // An epoch that starts where the previous one started replaces it (it holds no batches).
    if (last && last.startOffset >= startOffset) this.entries.pop();
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /**
   * KIP-279: the largest epoch ≤ `epoch` this replica knows, with its end offset (start of the
   * next epoch, or `logEndOffset` for the latest). {−1, −1} when every known epoch is larger.
   */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.epoch <= epoch) {
        const next = this.entries[i + 1];
        return { epoch: e.epoch, endOffset: next ? next.startOffset : logEndOffset };
      }
    }
    return { epoch: -1, endOffset: -1 };
  }

  /** Forgets epochs starting at or after `offset` (the log was truncated there). */
  truncateFromEnd(offset: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < offset);
    if (this.entries.length !== before) this.persist();
  }

  /** Forgets every epoch (the log was emptied and restarts elsewhere; fetched batches refill it). */
  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.persist();
  }

  private persist(): void {
    const tmp = `${this.file}.tmp`;
    const fd = openFile(tmp, "w");
    try {
      writeSync(fd, this.entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join(""));
      fsyncFile(fd);
    } finally {
      closeFile(fd);
    }
    renameFile(tmp, this.file);
    fsyncDir(dirname(this.file));
  }
}
