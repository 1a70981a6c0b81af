/**
 * Appends records to the file channel's log files with group commit. Records are encoded straight
 * into large in-memory chunks; a flush scheduled with setImmediate writes everything appended so far
 * with one positioned writev per file and, if any waiter asked for durability, one fdatasync. All
 * transactions whose commits land before that flush starts share it, and commits arriving while a
 * flush is on disk wait for the next one, so at high concurrency the cost of an fsync (≈0.15 ms on
 * the development disk) is paid once per batch of commits, not once per transaction.
 *
 * A log file is rolled over when the next record would push it past maxFileSize; files are named
 * `log-<id>` with increasing ids, so the pointer of a record is (file id, offset).
 */

import { writev } from "node:fs";
import { join } from "node:path";
import { closeFile, fdatasyncFileAsync, fsyncDir, openFile } from "../../shared/file-io.ts";
import type { AgentEvent } from "../event.ts";
import {
  type COMMIT,
  MARK_RECORD_SIZE,
  pointerKey,
  putRecordSize,
  type ROLLBACK,
  TAKE_RECORD_SIZE,
  writeMark,
  writePut,
  writeTake,
} from "./record.ts";

const CHUNK = 1 << 20;

export function logFileName(id: number): string {
  return `log-${id}`;
}

/** Parses `log-<id>`; undefined for other files. */
export function logFileId(name: string): number | undefined {
  const m = /^log-(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** fsync a directory so a created or renamed entry survives a crash. */
export function syncDir(dir: string): void {
  fsyncDir(dir);
}

interface Segment {
  fileId: number;
  position: number;
  bufs: Buffer[];
}

interface Waiter {
  target: number;
  durable: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class LogWriter {
  /** Id and logical size (written + pending) of the file being appended to. */
  fileId: number;
  fileOffset = 0;
  private readonly fds = new Map<number, number>();
  private chunk = Buffer.allocUnsafe(CHUNK);
  private chunkUsed = 0;
  private chunkSealed = 0;
  private pending: Segment[] = [];
  /** Byte counters over the writer's lifetime: appended ≥ written ≥ durable. */
  private appended = 0;
  private written = 0;
  private durable = 0;
  private waiters: Waiter[] = [];
  private scheduled = false;
  private flushing = false;
  private broken: Error | undefined;
  /** Files written since their last fdatasync. */
  private readonly dirty = new Set<number>();
  /** Counts of flushes and fsyncs, for tests and the benchmark report. */
  flushes = 0;
  fsyncs = 0;

  constructor(
    private readonly dir: string,
    private readonly maxFileSize: number,
    firstFileId: number,
  ) {
    this.fileId = firstFileId;
    this.open(firstFileId);
  }

  /** Logical end of the log: the pointer the next record would get. */
  position(): { fileId: number; offset: number } {
    return { fileId: this.fileId, offset: this.fileOffset };
  }

  appendPut(txId: number, e: AgentEvent): number {
    const size = putRecordSize(e);
    const at = this.reserve(size);
    const key = pointerKey(this.fileId, this.fileOffset);
    writePut(this.chunk, at, size, txId, e);
    this.advance(size);
    return key;
  }

  appendTake(txId: number, pointer: number): void {
    const at = this.reserve(TAKE_RECORD_SIZE);
    writeTake(this.chunk, at, txId, pointer);
    this.advance(TAKE_RECORD_SIZE);
  }

  appendMark(type: typeof COMMIT | typeof ROLLBACK, txId: number): void {
    const at = this.reserve(MARK_RECORD_SIZE);
    writeMark(this.chunk, at, type, txId);
    this.advance(MARK_RECORD_SIZE);
  }

  /** Resolves once everything appended before this call is written, and fsynced if `durable`. */
  sync(durable: boolean): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const target = this.appended;
    if ((durable ? this.durable : this.written) >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ target, durable, resolve, reject });
      this.schedule();
    });
  }

  /** Files that still have an open descriptor (the current one and any being flushed). */
  openFiles(): number[] {
    return [...this.fds.keys()];
  }

  async close(): Promise<void> {
    await this.sync(true);
    for (const fd of this.fds.values()) closeFile(fd);
    this.fds.clear();
  }

  /** Makes room for a record of `size` bytes, rolling the file and the chunk over as needed. */
  private reserve(size: number): number {
    if (this.fileOffset > 0 && this.fileOffset + size > this.maxFileSize) {
      this.seal();
      this.fileId++;
      this.fileOffset = 0;
      this.open(this.fileId);
    }
    if (this.chunkUsed + size > this.chunk.length) {
      this.seal();
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK, size));
      this.chunkUsed = 0;
      this.chunkSealed = 0;
    }
    return this.chunkUsed;
  }

  private advance(size: number): void {
    this.chunkUsed += size;
    this.fileOffset += size;
    this.appended += size;
    // Records that nobody waits for (takes, rollbacks) still reach the OS on the next tick.
    this.schedule();
  }

  /** Moves the unsealed tail of the chunk into the pending list (no copy: later appends go after it). */
  private seal(): void {
    if (this.chunkUsed === this.chunkSealed) return;
    const buf = this.chunk.subarray(this.chunkSealed, this.chunkUsed);
    const start = this.fileOffset - (this.chunkUsed - this.chunkSealed);
    const last = this.pending[this.pending.length - 1];
    if (last && last.fileId === this.fileId) last.bufs.push(buf);
    else this.pending.push({ fileId: this.fileId, position: start, bufs: [buf] });
    this.chunkSealed = this.chunkUsed;
  }

  private open(id: number): void {
    this.fds.set(id, openFile(join(this.dir, logFileName(id)), "wx"));
    syncDir(this.dir);
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      this.seal();
      const segs = this.pending;
      this.pending = [];
      const end = this.appended;
      for (const s of segs) {
        await writeAll(this.fd(s.fileId), s.bufs, s.position);
        this.dirty.add(s.fileId);
      }
      this.written = end;
      this.flushes++;
      if (this.waiters.some((w) => w.durable && w.target > this.durable)) {
        const ids = [...this.dirty];
        this.dirty.clear();
        await Promise.all(ids.map((id) => fdatasyncP(this.fd(id))));
        this.fsyncs++;
        this.durable = end;
      }
      // Files we rolled away from can be closed once all their bytes are written and synced (a
      // rollover during this flush may have left more of them pending for the next one).
      const pendingIds = new Set(this.pending.map((s) => s.fileId));
      for (const [id, fd] of this.fds) {
        if (id !== this.fileId && !pendingIds.has(id) && !this.dirty.has(id)) {
          closeFile(fd);
          this.fds.delete(id);
        }
      }
      const left: Waiter[] = [];
      for (const w of this.waiters) {
        if ((w.durable ? this.durable : this.written) >= w.target) w.resolve();
        else left.push(w);
      }
      this.waiters = left;
    } catch (e) {
      this.broken = e as Error;
      for (const w of this.waiters) w.reject(this.broken);
      this.waiters = [];
    } finally {
      this.flushing = false;
    }
    if (
      !this.broken &&
      (this.waiters.length > 0 || this.chunkUsed > this.chunkSealed || this.pending.length > 0)
    ) {
      this.schedule();
    }
  }

  private fd(id: number): number {
    const fd = this.fds.get(id);
    if (fd === undefined) throw new Error(`log file ${id} is not open`);
    return fd;
  }
}

/** writev until every byte is written (the kernel may write less than asked). */
async function writeAll(fd: number, bufs: Buffer[], position: number): Promise<void> {
  let pos = position;
  let rest = bufs;
  while (rest.length > 0) {
    const n = await new Promise<number>((resolve, reject) =>
      writev(fd, rest, pos, (err, written) => (err ? reject(err) : resolve(written))),
    );
    pos += n;
    let skip = n;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      next.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    rest = next;
  }
}

function fdatasyncP(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasyncFileAsync(fd, (err) => (err ? reject(err) : resolve())));
}
