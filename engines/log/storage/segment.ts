/**
 * One segment file: record batches stored back to back exactly as received (with broker-stamped
 * base offset and leader epoch), named after the first offset it holds, plus its sparse index.
 *
 * File `<base offset, 20 digits>.log` => RecordBatch*
 *
 * Writes are positional (pwrite at the known end), so a torn tail that recovery truncated is
 * simply overwritten. Nothing is fsynced here unless the owner asks (flush policy).
 */

import { fstatSync, ftruncateSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { closeFile, fsyncDir, fsyncFile, fsyncFileAsync, openFile } from "../../shared/file-io.ts";
import {
  BATCH_HEADER_BYTES,
  batchBaseOffset,
  batchSize,
  checkBatch,
  Off,
  readInt64,
} from "../records/record-batch.ts";
import { OffsetIndex } from "./offset-index.ts";

export const segmentFileName = (baseOffset: number): string => `${String(baseOffset).padStart(20, "0")}.log`;
export const indexFileName = (baseOffset: number): string => `${String(baseOffset).padStart(20, "0")}.index`;

/** What recovery found in a segment's bytes. */
export interface ScanResult {
  /** Bytes of valid batches from the start of the file. */
  validBytes: number;
  /** Offset after the last valid batch. */
  nextOffset: number;
  /** Largest batch max timestamp seen (−1 if none). */
  maxTimestamp: number;
  /** Why scanning stopped before the end of the file, if it did. */
  stoppedBy?: string;
}

export class Segment {
  readonly baseOffset: number;
  readonly path: string;
  private fd: number;
  private index: OffsetIndex;
  /** Bytes in the file that belong to the log. */
  size: number;
  /** Offset after the last batch in this segment. */
  nextOffset: number;
  /** Newest record timestamp in the segment (for time retention); −1 when unknown. */
  maxTimestamp: number;
  private bytesSinceIndex = 0;
  private syncing = 0;
  private closeWhenSynced = false;
  private readonly indexInterval: number;

  private constructor(
    dir: string,
    baseOffset: number,
    fd: number,
    index: OffsetIndex,
    size: number,
    nextOffset: number,
    maxTimestamp: number,
    indexInterval: number,
  ) {
    this.baseOffset = baseOffset;
    this.path = join(dir, segmentFileName(baseOffset));
    this.fd = fd;
    this.index = index;
    this.size = size;
    this.nextOffset = nextOffset;
    this.maxTimestamp = maxTimestamp;
    this.indexInterval = indexInterval;
  }

  /** A new empty segment. */
  static create(dir: string, baseOffset: number, indexInterval: number): Segment {
    const fd = openFile(join(dir, segmentFileName(baseOffset)), "w+");
    const index = OffsetIndex.create(join(dir, indexFileName(baseOffset)));
    // The new files' directory entries must survive a crash for their fsynced data to count.
    fsyncDir(dir);
    return new Segment(dir, baseOffset, fd, index, 0, baseOffset, -1, indexInterval);
  }

  /**
   * Opens an existing segment. With `recover`, every batch is validated (length, magic, CRC,
   * contiguous offsets), the file is truncated after the last good batch and the index rebuilt.
   * Without it (closed segments, fsynced when rolled) the index file is trusted if consistent.
   */
  static open(
    dir: string,
    baseOffset: number,
    indexInterval: number,
    recover: boolean,
    knownNextOffset?: number,
  ): { segment: Segment; scan?: ScanResult } {
    const path = join(dir, segmentFileName(baseOffset));
    const fd = openFile(path, "r+");
    const fileSize = fstatSync(fd).size;
    const idxPath = join(dir, indexFileName(baseOffset));
    if (!recover) {
      const index = OffsetIndex.load(idxPath, Math.max(fileSize, 1));
      if (index && knownNextOffset !== undefined) {
        const mtime = fstatSync(fd).mtimeMs;
        const seg = new Segment(dir, baseOffset, fd, index, fileSize, knownNextOffset, mtime, indexInterval);
        return { segment: seg };
      }
      index?.close();
    }
    const index = OffsetIndex.create(idxPath);
    const seg = new Segment(dir, baseOffset, fd, index, 0, baseOffset, -1, indexInterval);
    const scan = seg.rebuild(fileSize);
    if (scan.validBytes < fileSize) ftruncateSync(fd, scan.validBytes);
    return { segment: seg, scan };
  }

  /** Scans the file from the start in 1 MiB chunks, validating batches and re-creating the index. */
  private rebuild(fileSize: number): ScanResult {
    const chunkBytes = 1 << 20;
    let pos = 0;
    let next = this.baseOffset;
    let maxTs = -1;
    let stoppedBy: string | undefined;
    let buf: Buffer = Buffer.alloc(0);
    let bufStart = 0;
    while (pos < fileSize) {
      let off = pos - bufStart;
      if (buf.length - off < BATCH_HEADER_BYTES) {
        buf = this.readAt(pos, Math.min(chunkBytes, fileSize - pos));
        bufStart = pos;
        off = 0;
        if (buf.length < BATCH_HEADER_BYTES) {
          stoppedBy = "truncated header";
          break;
        }
      }
      const size = batchSize(buf, off);
      if (size < BATCH_HEADER_BYTES) {
        stoppedBy = "bad length";
        break;
      }
      if (pos + size > fileSize) {
        stoppedBy = "truncated batch";
        break;
      }
      if (buf.length - off < size) {
        buf = this.readAt(pos, Math.max(chunkBytes, size));
        bufStart = pos;
        off = 0;
      }
      const check = checkBatch(buf, off, off + size);
      if (!check.ok) {
        stoppedBy = check.reason;
        break;
      }
      const base = batchBaseOffset(buf, off);
      // Offsets only grow; a gap is legal (the cleaner removed batches, or a follower fetched from
      // a compacted leader), an overlap is not.
      if (base < next) {
        stoppedBy = `offset ${base} where ${next} or later was expected`;
        break;
      }
      this.noteAppend(pos, base, size);
      next = base + check.lastOffsetDelta + 1;
      maxTs = Math.max(maxTs, check.maxTimestamp);
      pos += size;
    }
    this.size = pos;
    this.nextOffset = next;
    this.maxTimestamp = maxTs;
    return { validBytes: pos, nextOffset: next, maxTimestamp: maxTs, ...(stoppedBy ? { stoppedBy } : {}) };
  }

  private noteAppend(position: number, firstOffset: number, size: number): void {
    if (position === 0 || this.bytesSinceIndex >= this.indexInterval) {
      this.index.append(firstOffset - this.baseOffset, position);
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += size;
  }

  /** When the first batch was appended since this segment was created or opened (segment.ms). */
  firstAppendAt = 0;

  /** Appends one validated, stamped batch. */
  append(batch: Buffer, firstOffset: number, lastOffset: number, maxTimestamp: number): void {
    if (this.firstAppendAt === 0) this.firstAppendAt = Date.now();
    let written = 0;
    while (written < batch.length) {
      written += writeSync(this.fd, batch, written, batch.length - written, this.size + written);
    }
    this.noteAppend(this.size, firstOffset, batch.length);
    this.size += batch.length;
    this.nextOffset = lastOffset + 1;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
  }

  /**
   * Appends whole validated, stamped batches lying back to back in `buf[start, end)` with one write
   * (a follower's fetch brings several at a time), then indexes each of them.
   */
  appendBatches(buf: Buffer, start: number, end: number): void {
    if (this.firstAppendAt === 0) this.firstAppendAt = Date.now();
    const length = end - start;
    let written = 0;
    while (written < length) {
      written += writeSync(this.fd, buf, start + written, length - written, this.size + written);
    }
    for (let p = start; p < end; ) {
      const size = batchSize(buf, p);
      const base = batchBaseOffset(buf, p);
      this.noteAppend(this.size, base, size);
      this.size += size;
      this.nextOffset = base + buf.readInt32BE(p + Off.lastOffsetDelta) + 1;
      const maxTimestamp = readInt64(buf, p + Off.maxTimestamp);
      if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
      p += size;
    }
  }

  private readAt(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? buf : buf.subarray(0, got);
  }

  /**
   * Every batch of the file in order, read `chunkBytes` at a time (the log cleaner): each yield is
   * a buffer and the batch's position and size in it. The caller must stop iterating once the
   * segment is closed.
   */
  *batches(chunkBytes = 1 << 20): Generator<{ buf: Buffer; pos: number; size: number }> {
    let filePos = 0;
    while (filePos < this.size) {
      let chunk = this.readAt(filePos, Math.min(chunkBytes, this.size - filePos));
      if (chunk.length < BATCH_HEADER_BYTES) return;
      const first = batchSize(chunk, 0);
      if (first > chunk.length) chunk = this.readAt(filePos, first);
      let p = 0;
      while (chunk.length - p >= BATCH_HEADER_BYTES) {
        const size = batchSize(chunk, p);
        if (size < BATCH_HEADER_BYTES || p + size > chunk.length) break;
        yield { buf: chunk, pos: p, size };
        p += size;
      }
      if (p === 0) return;
      filePos += p;
    }
  }

  /**
   * Reads whole batches starting with the one containing `offset` (or the first after it: the
   * cleaner leaves gaps), stopping before any batch that reaches `maxOffset` (exclusive; the high
   * watermark) and once `maxBytes` is reached — but always returning at least one whole batch when
   * one is visible and `minOneBatch` is set (KIP-74: the first batch of a fetch is returned even if
   * larger than the limits). Null when this segment has nothing visible at or after `offset`; an
   * empty buffer when it has, but the first such batch did not fit (`minOneBatch` off).
   */
  read(offset: number, maxBytes: number, maxOffset: number, minOneBatch = true): Buffer | null {
    let pos = this.index.lookup(offset - this.baseOffset);
    // Read enough to skip up to one index interval of earlier batches and still fill maxBytes.
    let want = Math.min(this.size - pos, this.indexInterval * 2 + Math.max(maxBytes, BATCH_HEADER_BYTES));
    while (pos < this.size) {
      const chunk = this.readAt(pos, want);
      let p = 0;
      let start = -1;
      let end = -1;
      while (chunk.length - p >= BATCH_HEADER_BYTES) {
        const size = batchSize(chunk, p);
        const base = readInt64(chunk, p + Off.baseOffset);
        const last = base + chunk.readInt32BE(p + Off.lastOffsetDelta);
        if (last >= maxOffset) break;
        if (
          last >= offset &&
          (start >= 0 || !minOneBatch) &&
          p + size - (start >= 0 ? start : p) > maxBytes
        ) {
          if (start < 0) return Buffer.alloc(0);
          break;
        }
        if (p + size > chunk.length) {
          if (start >= 0) break;
          // A batch larger than the chunk: skip it, or return it alone if it is the first wanted.
          if (last >= offset) return this.readAt(pos + p, size);
          p += size;
          break;
        }
        if (last >= offset) {
          if (start < 0) start = p;
          end = p + size;
        }
        p += size;
      }
      if (start >= 0) return chunk.subarray(start, end);
      if (p === 0) return null;
      pos += p;
      want = Math.min(this.size - pos, Math.max(maxBytes, 65536));
    }
    return null;
  }

  /**
   * Cuts the segment so it ends before the batch containing `offset` (a follower truncating to
   * its leader's log, KIP-101). Returns the new next offset (the cut batch's base offset).
   */
  truncateTo(offset: number): number {
    let pos = 0;
    while (pos < this.size) {
      const head = this.readAt(pos, BATCH_HEADER_BYTES);
      if (head.length < BATCH_HEADER_BYTES) break;
      const last = readInt64(head, Off.baseOffset) + head.readInt32BE(Off.lastOffsetDelta);
      if (last >= offset) break;
      pos += batchSize(head, 0);
    }
    ftruncateSync(this.fd, pos);
    this.index.close();
    this.index = OffsetIndex.create(this.index.path);
    this.bytesSinceIndex = 0;
    this.rebuild(pos);
    return this.nextOffset;
  }

  /** Finds the first offset whose batch max timestamp is ≥ `ts` (scan; used by ListOffsets). */
  offsetForTimestamp(ts: number): number | undefined {
    let pos = 0;
    while (pos < this.size) {
      const head = this.readAt(pos, 61);
      if (head.length < 61) return undefined;
      if (readInt64(head, Off.maxTimestamp) >= ts) return readInt64(head, Off.baseOffset);
      pos += batchSize(head, 0);
    }
    return undefined;
  }

  flush(): void {
    fsyncFile(this.fd);
  }

  /**
   * fsync on the libuv thread pool, so rolling a segment under load does not stall the event
   * loop (Kafka likewise flushes rolled segments in the background). Closing waits for it.
   */
  flushInBackground(): void {
    this.syncing++;
    fsyncFileAsync(this.fd, () => {
      this.syncing--;
      if (this.syncing === 0 && this.closeWhenSynced) this.closeNow();
    });
  }

  close(): void {
    if (this.syncing > 0) this.closeWhenSynced = true;
    else this.closeNow();
  }

  private closeNow(): void {
    closeFile(this.fd);
    this.index.close();
  }
}
