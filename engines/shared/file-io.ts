/**
 * The engines' file I/O for durable state: every creation, rename, removal and fsync of a storage
 * file goes through here. In the default `direct` mode it is plain node:fs. In `lazy` mode (a
 * power-loss fault is planned for this node) it also keeps a journal of what has been made durable
 * — the length of each file at its last fsync/fdatasync, and which directory entries (creations,
 * renames, removals, new directories) were followed by an fsync of their directory — so that when
 * the process dies without a clean close, the next start in lazy mode first rolls the files back to
 * exactly what a power cut would have left: unsynced bytes cut off, unsynced entries undone. This
 * is lazyfs's model with an unbounded cache. Writes themselves go straight to node:fs (the engines
 * only append to files they fsync, so the synced length is the durable state); a removal or a
 * rename over an existing file keeps the old file under a hidden name until its directory is
 * synced, so it can come back. A clean close marks the journal clean: the OS would write the
 * page cache back.
 */

import {
  appendFileSync,
  closeSync,
  existsSync,
  fdatasync,
  fstatSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { dirname, resolve } from "node:path";

/** Hidden suffix of a file kept until the removal or replacement of its name is durable. */
const KEPT = ".fb-lazy-kept";

type Entry =
  | { op: "create"; path: string }
  | { op: "mkdir"; path: string }
  | { op: "rename"; from: string; to: string; kept?: string }
  | { op: "unlink"; path: string; kept: string };

type JournalLine =
  | Entry
  | { op: "sync"; path: string; len: number }
  | { op: "known"; path: string; len: number }
  | { op: "dirsync"; path: string }
  | { op: "clean" };

let journal: string | undefined;
const fdPaths = new Map<number, string>();
/** Files whose durable length is already journaled (so it is not journaled again on open). */
const known = new Set<string>();
/** Entries not yet made durable by an fsync of their directory, by directory. */
const pendingByDir = new Map<string, Entry[]>();

function log(line: JournalLine): void {
  if (journal) appendFileSync(journal, `${JSON.stringify(line)}\n`);
}

function pend(dir: string, e: Entry): void {
  const list = pendingByDir.get(dir) ?? [];
  list.push(e);
  pendingByDir.set(dir, list);
  log(e);
}

/** Whether lazy mode is on. */
export function isLazy(): boolean {
  return journal !== undefined;
}

/**
 * Turns lazy mode on with its journal at `journalPath`, first rolling back whatever an earlier
 * process in lazy mode left unsynced (it died without a clean close). Returns what was rolled
 * back, for the node's log.
 */
export function enableLazyIO(journalPath: string): { rolledBack: string[] } {
  const path = resolve(journalPath);
  const rolledBack = existsSync(path) ? rollBack(readFileSync(path, "utf8")) : [];
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, "");
  journal = path;
  known.clear();
  pendingByDir.clear();
  fdPaths.clear();
  return { rolledBack };
}

/** Marks a clean close: nothing is rolled back on the next start. */
export function closeLazyIO(): void {
  if (!journal) return;
  log({ op: "clean" });
  journal = undefined;
}

function remember(path: string, existed: boolean): void {
  if (!journal || known.has(path)) return;
  known.add(path);
  if (existed) log({ op: "known", path, len: statSync(path).size });
  else pend(dirname(path), { op: "create", path });
}

/** openSync; a file it creates is a new directory entry. */
export function openFile(path: string, flags: string): number {
  const abs = resolve(path);
  const existed = journal ? existsSync(abs) : true;
  const fd = openSync(abs, flags);
  fdPaths.set(fd, abs);
  remember(abs, existed);
  return fd;
}

export function closeFile(fd: number): void {
  fdPaths.delete(fd);
  closeSync(fd);
}

function synced(fd: number): void {
  const path = fdPaths.get(fd);
  if (journal && path) log({ op: "sync", path, len: fstatSync(fd).size });
}

export function fsyncFile(fd: number): void {
  fsyncSync(fd);
  synced(fd);
}

/**
 * What an fsync started now is sure to make durable: the file's length at the call. Bytes written
 * while it is on the thread pool may or may not be covered, so they are not counted (a group
 * commit keeps appending while its fsync runs).
 */
function syncTarget(fd: number): { path: string; len: number; ino: number } | undefined {
  const path = fdPaths.get(fd);
  if (!journal || !path) return undefined;
  const st = fstatSync(fd);
  return { path, len: st.size, ino: st.ino };
}

function syncedAsync(t: { path: string; len: number; ino: number } | undefined): void {
  if (!journal || !t) return;
  // A file replaced under the same name while the fsync ran (a rewrite renamed over it) is no
  // longer what the name holds: its synced length says nothing about the new file.
  let ino: number;
  try {
    ino = statSync(t.path).ino;
  } catch {
    return;
  }
  if (ino === t.ino) log({ op: "sync", path: t.path, len: t.len });
}

/** fsync on the thread pool. */
export function fsyncFileAsync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
  const t = syncTarget(fd);
  fsync(fd, (err) => {
    if (!err) syncedAsync(t);
    cb(err);
  });
}

export function fdatasyncFileAsync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
  const t = syncTarget(fd);
  fdatasync(fd, (err) => {
    if (!err) syncedAsync(t);
    cb(err);
  });
}

/** For files opened elsewhere (a FileHandle): it was just created, or just fsynced. */
export function noteCreated(path: string): void {
  remember(resolve(path), false);
}

export function noteSynced(path: string): void {
  const abs = resolve(path);
  if (journal) log({ op: "sync", path: abs, len: statSync(abs).size });
}

/** writeFileSync of a new or replaced small file; not fsynced. */
export function writeWholeFile(path: string, data: string | Uint8Array): void {
  const abs = resolve(path);
  if (journal && existsSync(abs)) {
    // Replacing the content in place: the old content is what survives until an fsync.
    known.add(abs);
  }
  const fd = openFile(abs, "w");
  try {
    writeFileSync(fd, data);
  } finally {
    closeFile(fd);
  }
}

export function makeDir(path: string): void {
  const abs = resolve(path);
  if (existsSync(abs)) return;
  if (journal) makeDir(dirname(abs));
  mkdirSync(abs);
  if (journal) pend(dirname(abs), { op: "mkdir", path: abs });
}

export function renameFile(from: string, to: string): void {
  const a = resolve(from);
  const b = resolve(to);
  if (!journal) {
    renameSync(a, b);
    return;
  }
  let kept: string | undefined;
  if (existsSync(b)) {
    kept = `${b}${KEPT}`;
    renameSync(b, kept);
  }
  renameSync(a, b);
  known.delete(a);
  known.add(b);
  pend(dirname(b), kept ? { op: "rename", from: a, to: b, kept } : { op: "rename", from: a, to: b });
}

/** Removes a file or (recursively) a directory. */
export function removePath(path: string): void {
  const abs = resolve(path);
  if (!journal) {
    rmSync(abs, { recursive: true, force: true });
    return;
  }
  if (!existsSync(abs)) return;
  const kept = `${abs}${KEPT}`;
  rmSync(kept, { recursive: true, force: true });
  renameSync(abs, kept);
  known.delete(abs);
  pend(dirname(abs), { op: "unlink", path: abs, kept });
}

/** fsync a directory, so the entries created, renamed or removed in it survive a crash. */
export function fsyncDir(dir: string): void {
  const abs = resolve(dir);
  const fd = openSync(abs, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (!journal) return;
  for (const e of pendingByDir.get(abs) ?? []) {
    if ((e.op === "unlink" || e.op === "rename") && e.kept) rmSync(e.kept, { recursive: true, force: true });
  }
  pendingByDir.delete(abs);
  log({ op: "dirsync", path: abs });
}

/** Undoes an unclean lazy-mode process's unsynced work, from its journal. */
export function rollBack(text: string): string[] {
  const lines = text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as JournalLine);
  if (lines.some((l) => l.op === "clean")) return [];
  const durable = new Map<string, number>();
  const pending: Entry[] = [];
  /** For a rename over an existing file: the replaced file's durable length. */
  const replacedLen = new Map<Entry, number | undefined>();
  for (const l of lines) {
    switch (l.op) {
      case "known":
      case "sync":
        durable.set(l.path, l.len);
        break;
      case "create":
        durable.set(l.path, 0);
        pending.push(l);
        break;
      case "mkdir":
      case "unlink":
        pending.push(l);
        break;
      case "rename": {
        const len = durable.get(l.from);
        replacedLen.set(l, durable.get(l.to));
        if (len !== undefined) durable.set(l.to, len);
        durable.delete(l.from);
        pending.push(l);
        break;
      }
      case "dirsync": {
        for (let i = pending.length - 1; i >= 0; i--) {
          const e = pending[i] as Entry;
          const at = e.op === "rename" ? e.to : e.path;
          if (dirname(at) === l.path) pending.splice(i, 1);
        }
        break;
      }
    }
  }
  const done: string[] = [];
  // Newest first: undo each entry change that was never made durable.
  for (const e of pending.reverse()) {
    if (e.op === "create" || e.op === "mkdir") {
      rmSync(e.path, { recursive: true, force: true });
      durable.delete(e.path);
      done.push(`${e.op} ${e.path}`);
    } else if (e.op === "rename") {
      if (existsSync(e.to)) renameSync(e.to, e.from);
      const len = durable.get(e.to);
      if (len !== undefined) durable.set(e.from, len);
      durable.delete(e.to);
      if (e.kept && existsSync(e.kept)) {
        renameSync(e.kept, e.to);
        const prev = replacedLen.get(e);
        if (prev !== undefined) durable.set(e.to, prev);
      }
      done.push(`rename ${e.from} -> ${e.to}`);
    } else {
      if (existsSync(e.kept)) {
        rmSync(e.path, { recursive: true, force: true });
        renameSync(e.kept, e.path);
      }
      done.push(`unlink ${e.path}`);
    }
  }
  // Whatever stayed: cut off the bytes no fsync covered.
  for (const [path, len] of durable) {
    if (!existsSync(path)) continue;
    const size = statSync(path).size;
    if (size > len) {
      truncateSync(path, len);
      done.push(`truncate ${path} ${size} -> ${len}`);
    }
  }
  return done;
}
