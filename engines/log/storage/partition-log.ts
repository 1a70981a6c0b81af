/**
 * The log of one partition: an ordered list of segments in one directory, and the partition
 * state replication will need — leader epoch, log start offset, log end offset (LEO) and high
 * watermark (HW). On one broker with min.insync.replicas=1 the HW follows the LEO right after each
 * append, but the two are kept apart so a follower-aware leader can hold the HW back later.
 *
 * Directory `<topic>-<partition>/` => <base>.log <base>.index ... leader-epoch
 *
 * Recovery (on open): closed segments are trusted (they were fsynced when rolled); the active
 * segment is rescanned batch by batch and truncated after the last valid one, so a torn write or
 * corrupt tail is never served. The HW restarts at the recovered LEO.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, makeDir, removePath, renameFile, writeWholeFile } from "../../shared/file-io.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import {
  BATCH_HEADER_BYTES,
  batchBaseOffset,
  batchLastOffset,
  batchSize,
  Codec,
  checkBatch,
  compressionCodec,
  Off,
  readInt64,
  stampBatch,
} from "../records/record-batch.ts";

const MAX_CODEC = Codec.zstd;

import { hasKeylessRecord } from "../records/record-set.ts";
import { compacts, deletes, type LogConfig } from "./log-config.ts";
import { lastSequence, ProducerStateTable } from "./producer-state.ts";
import { indexFileName, type ScanResult, Segment, segmentFileName } from "./segment.ts";
import { finishSwaps } from "./segment-swap.ts";
import { TailCache } from "./tail-cache.ts";

/** `duplicate`: an idempotent producer's retry of a batch already in the log (nothing written). */
export type AppendResult =
  | { errorCode: 0; baseOffset: number; lastOffset: number; duplicate?: true }
  | { errorCode: number };

/** Producer state saved by a clean close (`{offset, producers}`), so a restart need not replay. */
const PRODUCER_SNAPSHOT = "producer-state.json";
/** The log cleaner's checkpoint (cleaner/cleaner-checkpoint.ts); truncation below it removes it. */
export const CLEANER_CHECKPOINT = "cleaner-checkpoint.json";

export interface ReadResult {
  errorCode: number;
  records: Buffer | null;
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  config: LogConfig;
  private segments: Segment[] = [];
  /** Epoch stamped into every appended batch. */
  leaderEpoch = 0;
  logStartOffset = 0;
  logEndOffset = 0;
  highWatermark = 0;
  /** What recovery of the active segment found (for logs and tests). */
  recovery: ScanResult | undefined;
  /** Cleanings a crash interrupted, finished or undone on open (for logs and tests). */
  swapRecovery: string[] = [];
  private unflushedMessages = 0;
  private oldestUnflushedAt = 0;
  private readonly hwListeners = new Set<() => void>();
  /** Idempotent producers' sequences (restored on open: snapshot, then replay of the log). */
  producers = new ProducerStateTable();
  /** The newest appended batches in memory, for tail reads (off until `cacheTail`). */
  private readonly tail = new TailCache(0);

  private constructor(dir: string, topic: string, partition: number, config: LogConfig) {
    this.dir = dir;
    this.topic = topic;
    this.partition = partition;
    this.config = config;
  }

  /**
   * Opens (recovering) or creates the partition directory. The active segment is always
   * re-validated; with `fullRecovery` (after an unclean shutdown) every segment is, and a bad
   * batch in a closed segment truncates there and removes all later segments, as Kafka does.
   */
  static open(
    dataDir: string,
    topic: string,
    partition: number,
    config: LogConfig,
    fullRecovery = false,
  ): PartitionLog {
    const dir = join(dataDir, `${topic}-${partition}`);
    if (!existsSync(dir)) {
      makeDir(dir);
      fsyncDir(dataDir);
    }
    const log = new PartitionLog(dir, topic, partition, config);
    const epochFile = join(dir, "leader-epoch");
    if (existsSync(epochFile)) {
      const e = Number(readFileSync(epochFile, "utf8").trim());
      if (Number.isInteger(e) && e >= 0) log.leaderEpoch = e;
    } else {
      writeWholeFile(epochFile, `${log.leaderEpoch}\n`);
    }
    log.swapRecovery = finishSwaps(dir);
    const bases = readdirSync(dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
    if (bases.length === 0) {
      log.segments.push(Segment.create(dir, 0, config.indexIntervalBytes));
    } else {
      for (let i = 0; i < bases.length; i++) {
        const base = bases[i]!;
        const next = bases[i + 1];
        const last = next === undefined;
        const { segment, scan } = Segment.open(
          dir,
          base,
          config.indexIntervalBytes,
          last || fullRecovery,
          next,
        );
        log.segments.push(segment);
        if (last) {
          log.recovery = scan;
          break;
        }
        // A cleaned segment may end before the next one begins (the cleaner removed its last
        // batches); it may never run into it.
        if (scan && (scan.stoppedBy !== undefined || segment.nextOffset > next)) {
          // A damaged closed segment: nothing after it can be trusted to follow on from it.
          log.recovery = { ...scan, stoppedBy: scan.stoppedBy ?? `gap before segment ${next}` };
          for (const later of bases.slice(i + 1)) {
            removePath(join(dir, segmentFileName(later)));
            removePath(join(dir, indexFileName(later)));
          }
          break;
        }
        segment.nextOffset = next;
      }
    }
    const first = log.segments[0]!;
    const active = log.segments[log.segments.length - 1]!;
    log.logStartOffset = first.baseOffset;
    log.logEndOffset = active.nextOffset;
    log.highWatermark = log.logEndOffset;
    log.restoreProducerState();
    return log;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Total bytes in all segments. */
  get sizeBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** The segments, oldest first (the log cleaner reads the closed ones). */
  get segmentList(): readonly Segment[] {
    return this.segments;
  }

  /** Whether `s` is still one of this log's segments (the cleaner checks between its steps). */
  holds(s: Segment): boolean {
    return this.segments.includes(s);
  }

  /**
   * Puts the cleaned segment `by` in place of `old` (consecutive closed segments, all still in
   * the log) and closes them; false, changing nothing, when the log no longer holds them as they
   * were (retention, truncation or close happened while the cleaner worked).
   */
  replaceSegments(old: readonly Segment[], by: Segment): boolean {
    const i = this.segments.indexOf(old[0]!);
    if (i < 0 || i + old.length >= this.segments.length) return false;
    for (let k = 0; k < old.length; k++) if (this.segments[i + k] !== old[k]) return false;
    this.segments.splice(i, old.length, by);
    for (const s of old) s.close();
    // A cached tail batch may be one the cleaner changed (only when the active segment is empty).
    this.tail.clear();
    return true;
  }

  /** Sets a new leader epoch (persisted); later batches carry it. */
  setLeaderEpoch(epoch: number): void {
    this.leaderEpoch = epoch;
    writeWholeFile(join(this.dir, "leader-epoch"), `${epoch}\n`);
  }

  /**
   * Validates one record batch (magic 2, CRC-32C, length), stamps base offset = LEO and the
   * leader epoch in place, and appends it verbatim. The HW is not moved here.
   */
  append(records: Buffer, now = Date.now()): AppendResult {
    if (records.length > this.config.maxMessageBytes) return { errorCode: ErrorCode.MESSAGE_TOO_LARGE };
    const check = checkBatch(records, 0);
    if (!check.ok) {
      return {
        errorCode:
          check.reason === "bad-magic" ? ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT : ErrorCode.CORRUPT_MESSAGE,
      };
    }
    // Produce v3+ carries exactly one batch per partition.
    if (check.size !== records.length) return { errorCode: ErrorCode.INVALID_RECORD };
    // A compacted topic keeps the last record of each key: a record without one is refused, as
    // Kafka does (records the broker cannot decompress are not checked).
    if (compacts(this.config) && hasKeylessRecord(records, 0, check.size)) {
      return { errorCode: ErrorCode.INVALID_RECORD };
    }
    // Batches are never decompressed (nothing the broker reads is inside the compressed part);
    // only codec ids Kafka does not define are refused.
    if (compressionCodec(records, 0) > MAX_CODEC) return { errorCode: ErrorCode.CORRUPT_MESSAGE };
    const producerId = readInt64(records, Off.producerId);
    if (producerId >= 0) {
      const firstSeq = records.readInt32BE(Off.baseSequence);
      const seq = this.producers.check(
        producerId,
        records.readInt16BE(Off.producerEpoch),
        firstSeq,
        lastSequence(firstSeq, check.lastOffsetDelta + 1),
      );
      // A retry of an appended batch is answered with its original offsets, as Kafka does.
      if (seq.kind === "duplicate") {
        return { errorCode: 0, baseOffset: seq.firstOffset, lastOffset: seq.lastOffset, duplicate: true };
      }
      if (seq.kind === "error") return { errorCode: seq.errorCode };
    }
    const baseOffset = this.logEndOffset;
    const lastOffset = baseOffset + check.lastOffsetDelta;
    stampBatch(records, 0, baseOffset, this.leaderEpoch);
    if (this.active.size > 0 && this.rollDue(records.length, now)) this.roll();
    this.active.append(records, baseOffset, lastOffset, check.maxTimestamp);
    this.logEndOffset = lastOffset + 1;
    this.tail.add(baseOffset, lastOffset, records);
    if (producerId >= 0) this.noteProducerBatch(records, 0);
    if (this.unflushedMessages === 0) this.oldestUnflushedAt = now;
    this.unflushedMessages += check.lastOffsetDelta + 1;
    if (this.unflushedMessages >= this.config.flushMessages) this.flush();
    return { errorCode: 0, baseOffset, lastOffset };
  }

  /**
   * Appends batches fetched from the leader as they are: offsets and leader epochs were assigned
   * by the leader, so nothing is stamped. Each batch is validated and must continue the log at the
   * LEO; the first one that does not ends the append (the follower fetches again from its LEO).
   * `onBatch` sees each appended batch's base offset and leader epoch (the epoch cache).
   */
  appendReplicated(records: Buffer, onBatch?: (baseOffset: number, epoch: number) => void): AppendResult {
    this.tail.clear();
    let pos = 0;
    let first = -1;
    // Batches validated but not yet written: they go to the file in one write per segment.
    let unwritten = 0;
    let unwrittenBytes = 0;
    while (pos < records.length) {
      const check = checkBatch(records, pos);
      if (!check.ok) break;
      const base = batchBaseOffset(records, pos);
      // The leader's log may have gaps (its cleaner removed batches): offsets must only grow.
      if (base < this.logEndOffset) break;
      const last = base + check.lastOffsetDelta;
      onBatch?.(base, records.readInt32BE(pos + 12));
      if (
        this.active.size + unwrittenBytes > 0 &&
        (this.active.size + unwrittenBytes + check.size > this.config.segmentBytes ||
          this.segmentTooOld(Date.now()))
      ) {
        this.active.appendBatches(records, unwritten, pos);
        unwritten = pos;
        unwrittenBytes = 0;
        this.roll();
      }
      unwrittenBytes += check.size;
      this.logEndOffset = last + 1;
      // Followers keep producer state too, so a new leader still recognises retried batches.
      this.noteProducerBatch(records, pos);
      if (first < 0) first = base;
      if (this.unflushedMessages === 0) this.oldestUnflushedAt = Date.now();
      this.unflushedMessages += check.lastOffsetDelta + 1;
      pos += check.size;
    }
    if (pos > unwritten) this.active.appendBatches(records, unwritten, pos);
    if (this.unflushedMessages >= this.config.flushMessages) this.flush();
    if (first < 0) return { errorCode: 0, baseOffset: -1, lastOffset: -1 };
    return { errorCode: 0, baseOffset: first, lastOffset: this.logEndOffset - 1 };
  }

  /**
   * Keeps up to `bytes` of the newest leader appends in memory for tail reads (0 turns it off).
   * A leader with followers turns it on: they fetch right behind its log end.
   */
  cacheTail(bytes: number): void {
    this.tail.maxBytes = bytes;
    if (bytes <= 0) this.tail.clear();
  }

  /** Sets the HW to exactly `offset` (capped at the LEO): a follower takes its leader's HW. */
  setHighWatermark(offset: number): void {
    const hw = Math.min(offset, this.logEndOffset);
    if (hw === this.highWatermark) return;
    const up = hw > this.highWatermark;
    this.highWatermark = hw;
    if (up) this.notifyHighWatermark();
  }

  /**
   * Closes the active segment and starts a new one. The old segment is fsynced in the background;
   * recovery trusts closed segments, which holds unless the machine itself crashes within the
   * moment that fsync takes.
   */
  private rollDue(bytes: number, now: number): boolean {
    return this.active.size + bytes > this.config.segmentBytes || this.segmentTooOld(now);
  }

  /** segment.ms: the active segment's first append is that old (Kafka rolls on the next append). */
  private segmentTooOld(now: number): boolean {
    const first = this.active.firstAppendAt;
    return first > 0 && now - first >= this.config.segmentMs;
  }

  private roll(): void {
    this.active.flushInBackground();
    this.segments.push(Segment.create(this.dir, this.logEndOffset, this.config.indexIntervalBytes));
  }

  /** Moves the HW forward (never back, never past the LEO) and wakes waiting fetches. */
  advanceHighWatermark(offset: number): void {
    const hw = Math.min(offset, this.logEndOffset);
    if (hw <= this.highWatermark) return;
    this.highWatermark = hw;
    this.notifyHighWatermark();
  }

  private notifyHighWatermark(): void {
    // Listeners resolve acks=all waiters or schedule a parked fetch's next pass; a Set skips the
    // ones removed meanwhile, so iterating it directly is safe and copies nothing per HW move.
    for (const l of this.hwListeners) l();
  }

  /** Registers a callback for HW advances; returns the unregister function. */
  onHighWatermark(listener: () => void): () => void {
    this.hwListeners.add(listener);
    return () => this.hwListeners.delete(listener);
  }

  /**
   * Reads whole batches from `offset`, never past the HW. Offsets below the log start or beyond
   * the LEO are OFFSET_OUT_OF_RANGE; offsets in [HW, LEO] simply return nothing yet. Unless
   * `minOneBatch`, a first batch larger than `maxBytes` is not returned.
   */
  read(offset: number, maxBytes: number, minOneBatch = true, upTo = this.highWatermark): ReadResult {
    if (offset < this.logStartOffset || offset > this.logEndOffset) {
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: null };
    }
    if (offset >= upTo) return { errorCode: 0, records: null };
    const cached = this.tail.read(offset, maxBytes, upTo, minOneBatch);
    if (cached !== undefined) return { errorCode: 0, records: cached };
    // The segment holding `offset`: the last one whose base offset ≤ offset.
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo; i < this.segments.length; i++) {
      const records = this.segments[i]!.read(offset, maxBytes, upTo, minOneBatch);
      // Empty: the segment has visible data but none of it fit. Null: nothing at or after the
      // offset here (a compacted gap at the segment's end), so the next segment answers.
      if (records) return { errorCode: 0, records: records.length > 0 ? records : null };
    }
    return { errorCode: 0, records: null };
  }

  /**
   * Removes everything from the batch containing `offset` on (follower truncation after a leader
   * change). LEO becomes that batch's base offset; the HW never stays above the LEO.
   */
  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    this.tail.clear();
    while (this.segments.length > 1 && this.active.baseOffset >= offset) {
      const s = this.segments.pop()!;
      s.close();
      removePath(s.path);
      removePath(join(this.dir, indexFileName(s.baseOffset)));
    }
    this.logEndOffset = this.active.truncateTo(offset);
    // The cleaner's record of what it cleaned may describe removed offsets: start it over.
    removePath(join(this.dir, CLEANER_CHECKPOINT));
    if (this.highWatermark > this.logEndOffset) this.highWatermark = this.logEndOffset;
    // Sequences of truncated batches must not count as appended.
    this.producers = new ProducerStateTable();
    this.replayProducers(this.logStartOffset);
    this.unflushedMessages = 0;
    this.flush();
  }

  /**
   * Empties the log and restarts it at `offset` (Kafka's truncateFullyAndStartAt): a follower
   * whose log ends below its leader's log start offset can never fetch what retention deleted, so
   * it drops everything and continues from the leader's start. Every segment and index is
   * removed, then one empty segment is created at `offset` (its creation fsyncs the directory, so
   * the removals are durable with it); a reopen therefore starts the log there. Producer state
   * goes too: it described batches that are gone.
   */
  truncateFullyAndStartAt(offset: number): void {
    for (const s of this.segments) {
      s.close();
      removePath(s.path);
      removePath(join(this.dir, indexFileName(s.baseOffset)));
    }
    removePath(join(this.dir, PRODUCER_SNAPSHOT));
    removePath(join(this.dir, CLEANER_CHECKPOINT));
    this.segments = [Segment.create(this.dir, offset, this.config.indexIntervalBytes)];
    this.logStartOffset = offset;
    this.logEndOffset = offset;
    this.highWatermark = offset;
    this.producers = new ProducerStateTable();
    this.unflushedMessages = 0;
    this.tail.clear();
  }

  /** First offset with a record timestamp ≥ ts, or the LEO when none (ListOffsets). */
  offsetForTimestamp(ts: number): number {
    for (const s of this.segments) {
      if (s.maxTimestamp >= 0 && s.maxTimestamp < ts && s !== this.active) continue;
      const o = s.offsetForTimestamp(ts);
      if (o !== undefined) return Math.max(o, this.logStartOffset);
    }
    return this.logEndOffset;
  }

  /** fsyncs the active segment (older ones were synced when rolled). */
  flush(): void {
    this.active.flush();
    this.unflushedMessages = 0;
  }

  /** Applies `flush.ms`: fsync if the oldest unflushed append is older than that. */
  maybeFlushByTime(now: number): void {
    if (this.unflushedMessages > 0 && now - this.oldestUnflushedAt >= this.config.flushMs) this.flush();
  }

  /**
   * Deletes closed segments below the HW that break `retention.bytes` or `retention.ms` (oldest
   * first; the active segment is never deleted) and advances the log start offset. Returns
   * segments deleted.
   */
  applyRetention(now = Date.now()): number {
    // cleanup.policy=compact alone: the cleaner bounds the log, retention deletes nothing.
    if (!deletes(this.config)) return 0;
    const { retentionBytes, retentionMs } = this.config;
    let total = this.sizeBytes;
    let deleted = 0;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      // As in Kafka, only segments wholly below the HW: what followers (and consumers) have not
      // been able to read yet is never deleted from under them.
      if (this.segments[1]!.baseOffset > this.highWatermark) break;
      const overSize = retentionBytes >= 0 && total - oldest.size >= retentionBytes;
      const tooOld = retentionMs >= 0 && oldest.maxTimestamp >= 0 && now - oldest.maxTimestamp > retentionMs;
      if (!overSize && !tooOld) break;
      this.segments.shift();
      oldest.close();
      removePath(oldest.path);
      removePath(join(this.dir, indexFileName(oldest.baseOffset)));
      total -= oldest.size;
      deleted++;
      this.logStartOffset = this.segments[0]!.baseOffset;
    }
    return deleted;
  }

  /** Adds the batch at `pos` (stamped, in the log) to the producer state if it has a producer id. */
  private noteProducerBatch(buf: Buffer, pos: number): void {
    const producerId = readInt64(buf, pos + Off.producerId);
    if (producerId < 0) return;
    const firstOffset = batchBaseOffset(buf, pos);
    const lastOffset = batchLastOffset(buf, pos);
    const firstSeq = buf.readInt32BE(pos + Off.baseSequence);
    this.producers.record(producerId, buf.readInt16BE(pos + Off.producerEpoch), {
      firstSeq,
      lastSeq: lastSequence(firstSeq, lastOffset - firstOffset + 1),
      firstOffset,
      lastOffset,
    });
  }

  /**
   * Producer state on open: the snapshot a clean close left, if it still lies inside the log, then
   * the batch headers after it; without one (after a crash), every batch header in the log. The
   * snapshot is removed once read, so a later crash can only ever replay the log itself.
   */
  private restoreProducerState(): void {
    this.producers = new ProducerStateTable();
    let from = this.logStartOffset;
    const file = join(this.dir, PRODUCER_SNAPSHOT);
    if (existsSync(file)) {
      try {
        const snap = JSON.parse(readFileSync(file, "utf8")) as { offset?: unknown; producers?: unknown };
        if (typeof snap.offset === "number" && snap.offset >= from && snap.offset <= this.logEndOffset) {
          this.producers = ProducerStateTable.fromJSON(snap.producers);
          from = snap.offset;
        }
      } catch {
        // A damaged snapshot: the replay below covers the whole log.
      }
      removePath(file);
    }
    this.replayProducers(from);
  }

  /** Replays batch headers from `from` to the LEO into the producer state (bodies are skipped). */
  private replayProducers(from: number): void {
    let offset = from;
    for (const s of this.segments) {
      while (offset < s.nextOffset && offset < this.logEndOffset) {
        const chunk = s.read(offset, 1 << 20, this.logEndOffset, true);
        if (!chunk) break;
        for (let pos = 0; chunk.length - pos >= BATCH_HEADER_BYTES; pos += batchSize(chunk, pos)) {
          if (batchLastOffset(chunk, pos) < offset) continue;
          this.noteProducerBatch(chunk, pos);
          offset = batchLastOffset(chunk, pos) + 1;
        }
      }
    }
  }

  private writeProducerSnapshot(): void {
    if (this.producers.size === 0) return;
    const file = join(this.dir, PRODUCER_SNAPSHOT);
    // Through the file-I/O layer, so a power loss in lazy mode treats the snapshot like any other file.
    writeWholeFile(`${file}.tmp`, JSON.stringify({ offset: this.logEndOffset, producers: this.producers }));
    renameFile(`${file}.tmp`, file);
  }

  close(): void {
    this.flush();
    this.writeProducerSnapshot();
    for (const s of this.segments) s.close();
    this.segments = [];
  }

  /** Closes and removes the partition directory. */
  destroy(): void {
    for (const s of this.segments) s.close();
    this.segments = [];
    removePath(this.dir);
  }
}
