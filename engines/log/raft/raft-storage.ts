/**
 * Durable Raft state of one controller: the current term and vote (`raft/state.json`, replaced
 * atomically), the latest snapshot of the applied state (`raft/snapshot.json`: last included index
 * and term, and the state machine's image at that index, replaced atomically) and the log after it
 * (`raft/log.ndjson`, one entry per line with its index). Taking a snapshot drops the log prefix it
 * covers, so the log stays as long as what happened since the last snapshot, not since the cluster
 * began.
 *
 * Group commit: `append` writes to the page cache and returns; the fsync runs on the thread pool
 * (through the file-I/O layer), one at a time, and covers every line written before it started —
 * appends made while it runs wait for the next one, so one fsync covers many entries. In combined
 * mode every committed consumer offset is an entry, and an fsync under disk pressure can take
 * seconds: done synchronously it stalled the whole broker's event loop (heartbeats, requests) for
 * that long. `durableIndex` is the last entry known to be on disk; the node counts only durable
 * entries as acknowledged (the leader's own vote, a follower's match index), which is all Raft's
 * safety needs — an entry that is written but not yet durable is one a crash may lose, exactly
 * like one never received (Raft thesis §10.2.1: the leader may write in parallel with replication).
 * Term and vote stay synchronous: they are rare, and must be durable before the node answers.
 *
 * Truncation, compaction and snapshot installation rewrite the log file whole, synchronously
 * (written, fsynced, renamed): afterwards every entry in memory is durable, so `durableIndex` is
 * `lastIndex`. An fsync still running then belongs to the replaced file: its completion must not
 * move `durableIndex` (the indexes it covered may now hold other entries — a truncated suffix
 * rewritten by a new leader), so each rewrite starts a new epoch and a stale completion is ignored;
 * the old file descriptor is closed only after that fsync returns, so its number cannot be reused
 * under it. Waiters for indexes a truncation removed are told so rather than left hanging.
 *
 * Crash safety: a snapshot is made durable (written, fsynced, renamed, directory fsynced) before
 * the log is rewritten without its prefix, and loading applies Raft's own rule for installing a
 * snapshot (§7): log entries after the snapshot are kept only if the log holds the snapshot's last
 * entry with the same term; otherwise the whole log is discarded. So a crash between the two steps
 * — or between an installed snapshot and the rewrite of a conflicting log — leaves a consistent
 * state. Every file operation goes through the shared file-I/O layer, so a power-loss fault rolls
 * this node's Raft state back to what it fsynced.
 */

import { existsSync, mkdirSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { FaultbenchError } from "../../../lib/errors.ts";
import {
  closeFile,
  fsyncDir,
  fsyncFile,
  fsyncFileAsync,
  makeDir,
  openFile,
  renameFile,
} from "../../shared/file-io.ts";

export interface RaftEntry {
  term: number;
  cmd: unknown;
}

/** A snapshot as stored: the state machine's image covering every entry up to `index`. */
export interface RaftSnapshot {
  index: number;
  term: number;
  /** The state machine's own serialisation of its image (opaque here). */
  data: string;
}

const SNAPSHOT_FORMAT = 1;

/** An fsync on the thread pool (the file-I/O layer's; tests inject a slow one). */
export type AsyncFsync = (fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => void;

export interface RaftStorageOptions {
  fsync?: AsyncFsync;
  /** Called when `durableIndex` advances (after a rewrite: on a later microtask). */
  onDurable?: (index: number) => void;
}

export class RaftStorage {
  term = 0;
  votedFor: number | null = null;
  /** Last index and term included in the snapshot (0/0 without one); the log starts after it. */
  snapshotIndex = 0;
  snapshotTerm = 0;
  /** entries[i] has index snapshotIndex + i + 1. */
  private entries: RaftEntry[] = [];
  /** Bytes of each entry's line in the log file, parallel to `entries`. */
  private sizes: number[] = [];
  private snapshotData: string | null = null;
  private readonly dir: string;
  private fd = -1;
  /** Last index known to be on disk; entries after it are written but maybe not durable. */
  durableIndex = 0;
  /** fsyncs issued so far (group commit: far fewer than appends under load). */
  fsyncs = 0;
  private flushing = false;
  /** Bumped by every rewrite of the log file: an fsync of an older epoch covers a replaced file. */
  private epoch = 0;
  /** Descriptors of replaced log files, closed once the fsync running on them returns. */
  private retired: number[] = [];
  private closed = false;
  private durableWaiters: Array<{ index: number; done: (ok: boolean) => void }> = [];
  private readonly fsyncAsync: AsyncFsync;
  private readonly onDurable: ((index: number) => void) | undefined;

  constructor(dataDir: string, opts: RaftStorageOptions = {}) {
    this.fsyncAsync = opts.fsync ?? fsyncFileAsync;
    this.onDurable = opts.onDurable;
    this.dir = join(dataDir, "raft");
    // The node's data directory is made by whoever starts it (before any power loss can matter);
    // the raft directory inside it is ours, durable once its parent is fsynced.
    mkdirSync(dataDir, { recursive: true });
    makeDir(this.dir);
    fsyncDir(dataDir);
    const stateFile = join(this.dir, "state.json");
    if (existsSync(stateFile)) {
      const s = JSON.parse(readFileSync(stateFile, "utf8")) as { term: number; votedFor: number | null };
      this.term = s.term;
      this.votedFor = s.votedFor;
    }
    const snapFile = join(this.dir, "snapshot.json");
    if (existsSync(snapFile)) {
      const s = parseSnapshotFile(readFileSync(snapFile, "utf8"), snapFile);
      this.snapshotIndex = s.index;
      this.snapshotTerm = s.term;
      this.snapshotData = s.data;
    }
    const logFile = join(this.dir, "log.ndjson");
    const loaded: Array<{ index: number; entry: RaftEntry; size: number }> = [];
    let torn = false;
    if (existsSync(logFile)) {
      let index = 0;
      for (const line of readFileSync(logFile, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        let e: { i?: number; term: number; cmd: unknown };
        try {
          e = JSON.parse(line) as { i?: number; term: number; cmd: unknown };
        } catch {
          torn = true; // a torn last line after a crash: everything before it was fsynced
          break;
        }
        // Lines written before snapshots existed carry no index: they count from 1.
        index = e.i ?? index + 1;
        loaded.push({ index, entry: { term: e.term, cmd: e.cmd }, size: Buffer.byteLength(line) + 1 });
      }
    }
    const atSnapshot = loaded.find((l) => l.index === this.snapshotIndex);
    // The log continues the snapshot if it starts right after it (it was rewritten for it) or holds
    // its last entry with its term; otherwise it is an older, conflicting history: Raft discards it.
    const keepTail =
      this.snapshotIndex === 0 ||
      loaded[0] === undefined ||
      loaded[0].index === this.snapshotIndex + 1 ||
      (atSnapshot !== undefined && atSnapshot.entry.term === this.snapshotTerm);
    if (keepTail) {
      for (const l of loaded) {
        if (l.index <= this.snapshotIndex) continue; // a prefix a crash left after the snapshot
        if (l.index !== this.lastIndex + 1) break; // a gap: only if the file was edited by hand
        this.entries.push(l.entry);
        this.sizes.push(l.size);
      }
    }
    // Whatever was read but not kept (a compacted prefix, a discarded log, a torn line) goes now,
    // so new entries are never appended after a line that would stop the next load.
    if (torn || this.entries.length !== loaded.length) this.rewriteLog();
    this.fd = openFile(logFile, "a");
    fsyncDir(this.dir);
    // What was loaded is what a crash left: on disk (or rewritten and fsynced just now).
    this.durableIndex = this.lastIndex;
  }

  /** Index of the last entry, or of the snapshot when the log after it is empty. */
  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  /** First index still in the log (lastIndex + 1 when it is empty). */
  get firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  /** Term of the entry at `index`: 0 before the log, −1 when unknown (past the end, or compacted). */
  termAt(index: number): number {
    if (index === 0) return 0;
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex) return -1;
    return this.entries[index - this.snapshotIndex - 1]?.term ?? -1;
  }

  /** The entry at `index`; undefined when compacted into the snapshot or past the end. */
  entryAt(index: number): RaftEntry | undefined {
    if (index <= this.snapshotIndex) return undefined;
    return this.entries[index - this.snapshotIndex - 1];
  }

  /** Up to `max` entries starting at `from` (which must be after the snapshot). */
  entriesFrom(from: number, max: number): RaftEntry[] {
    const start = from - this.snapshotIndex - 1;
    if (start < 0) throw new Error(`raft: entries from ${from} were compacted into the snapshot`);
    return this.entries.slice(start, start + max);
  }

  /** Bytes of the log line of the entry at `index` (0 when compacted or past the end). */
  sizeAt(index: number): number {
    return index <= this.snapshotIndex ? 0 : (this.sizes[index - this.snapshotIndex - 1] ?? 0);
  }

  /** The latest snapshot, or null before the first. */
  get snapshot(): RaftSnapshot | null {
    return this.snapshotData === null
      ? null
      : { index: this.snapshotIndex, term: this.snapshotTerm, data: this.snapshotData };
  }

  saveState(term: number, votedFor: number | null): void {
    this.term = term;
    this.votedFor = votedFor;
    this.replaceFile("state.json", JSON.stringify({ term, votedFor }));
  }

  append(entries: RaftEntry[]): void {
    if (entries.length === 0) return;
    let text = "";
    for (const e of entries) {
      const line = `${JSON.stringify({ i: this.lastIndex + 1, term: e.term, cmd: e.cmd })}\n`;
      this.entries.push(e);
      this.sizes.push(Buffer.byteLength(line));
      text += line;
    }
    writeSync(this.fd, text);
    this.flush();
  }

  /**
   * Resolves true once the entry at `index` is durable, false if a truncation removed it first
   * (or the storage closed before it was).
   */
  whenDurable(index: number): Promise<boolean> {
    if (index <= this.durableIndex) return Promise.resolve(true);
    if (index > this.lastIndex || this.closed) return Promise.resolve(false);
    return new Promise((done) => this.durableWaiters.push({ index, done }));
  }

  /** Starts an fsync covering everything written so far, unless one is running (it chains). */
  private flush(): void {
    if (this.flushing || this.closed || this.durableIndex >= this.lastIndex) return;
    this.flushing = true;
    this.fsyncs++;
    const target = this.lastIndex;
    const epoch = this.epoch;
    this.fsyncAsync(this.fd, (err) => {
      this.flushing = false;
      for (const fd of this.retired.splice(0)) closeFile(fd);
      if (this.closed) return;
      // An fsync that fails may have dropped the dirty pages: retrying cannot prove them durable
      // (the "fsyncgate" lesson). Stop the process rather than acknowledge what may be lost.
      if (err) throw err;
      if (epoch === this.epoch && target > this.durableIndex) this.setDurable(target, true);
      this.flush();
    });
  }

  private setDurable(index: number, notify: boolean): void {
    this.durableIndex = index;
    const still: typeof this.durableWaiters = [];
    for (const w of this.durableWaiters) {
      if (w.index <= index) w.done(true);
      else if (w.index > this.lastIndex) w.done(false);
      else still.push(w);
    }
    this.durableWaiters = still;
    if (notify) this.onDurable?.(index);
  }

  /** Drops entries from `index` on (index is 1-based, after the snapshot). */
  truncateFrom(index: number): void {
    if (index > this.lastIndex) return;
    if (index <= this.snapshotIndex) throw new Error(`raft: cannot truncate into the snapshot (${index})`);
    this.entries.length = index - this.snapshotIndex - 1;
    this.sizes.length = this.entries.length;
    this.rewriteLog();
  }

  /**
   * Stores a snapshot of the state up to `index` (an applied, hence committed, entry of this log)
   * and drops the log up to it.
   */
  compact(index: number, data: string): void {
    if (index <= this.snapshotIndex) return;
    const term = this.termAt(index);
    if (term < 0) throw new Error(`raft: snapshot at ${index} beyond the log end ${this.lastIndex}`);
    this.writeSnapshot(index, term, data);
    const n = index - this.snapshotIndex;
    this.entries.splice(0, n);
    this.sizes.splice(0, n);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.rewriteLog();
  }

  /**
   * Installs a snapshot received from the leader (Raft §7): keeps the log after it if the log
   * holds its last entry with the same term, else discards the whole log.
   */
  install(index: number, term: number, data: string): void {
    if (index <= this.snapshotIndex) return;
    const keep = this.termAt(index) === term;
    const n = keep ? index - this.snapshotIndex : this.entries.length;
    this.writeSnapshot(index, term, data);
    this.entries.splice(0, n);
    this.sizes.splice(0, n);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.rewriteLog();
  }

  /** A graceful close makes everything written durable first (synchronously: it is the end). */
  close(): void {
    if (this.closed) return;
    if (this.durableIndex < this.lastIndex) fsyncFile(this.fd);
    this.closed = true;
    for (const w of this.durableWaiters.splice(0)) w.done(false);
    if (this.flushing) this.retired.push(this.fd);
    else closeFile(this.fd);
  }

  private writeSnapshot(index: number, term: number, data: string): void {
    // A header line, then the state machine's data verbatim (no second round of JSON escaping).
    this.replaceFile("snapshot.json", `${JSON.stringify({ format: SNAPSHOT_FORMAT, index, term })}\n${data}`);
    this.snapshotData = data;
  }

  /** Writes `name` whole through a temporary file: fsync, rename, fsync the directory. */
  private replaceFile(name: string, text: string): void {
    const file = join(this.dir, name);
    const tmp = `${file}.tmp`;
    const fd = openFile(tmp, "w");
    writeSync(fd, text);
    fsyncFile(fd);
    closeFile(fd);
    renameFile(tmp, file);
    fsyncDir(this.dir);
  }

  /** Replaces the log file with the entries held in memory (after a truncation or compaction). */
  private rewriteLog(): void {
    const reopen = this.fd >= 0;
    if (reopen && this.flushing) this.retired.push(this.fd);
    else if (reopen) closeFile(this.fd);
    let text = "";
    for (let k = 0; k < this.entries.length; k++) {
      const e = this.entries[k]!;
      text += `${JSON.stringify({ i: this.snapshotIndex + k + 1, term: e.term, cmd: e.cmd })}\n`;
    }
    this.replaceFile("log.ndjson", text);
    if (reopen) {
      this.fd = openFile(join(this.dir, "log.ndjson"), "a");
      this.epoch++;
      this.setDurable(this.lastIndex, false);
      // Entries the rewrite made durable may complete a leader's majority. Told later, not from
      // here: a compaction runs inside the node's apply loop, which must not be re-entered.
      queueMicrotask(() => {
        if (!this.closed) this.onDurable?.(this.durableIndex);
      });
    }
  }
}

function parseSnapshotFile(text: string, file: string): RaftSnapshot {
  const nl = text.indexOf("\n");
  let h: { format?: number; index?: number; term?: number } = {};
  try {
    h = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as typeof h;
  } catch {
    // reported below
  }
  if (nl < 0 || h.format !== SNAPSHOT_FORMAT || typeof h.index !== "number" || typeof h.term !== "number") {
    // Only a whole, fsynced file is ever renamed into place: this one was made by something else.
    throw new FaultbenchError(
      "FB_ENGINE_START_FAILED",
      `${file} is not a metadata snapshot this version can read (format ${h.format ?? "unknown"})`,
    );
  }
  return { index: h.index, term: h.term, data: text.slice(nl + 1) };
}
