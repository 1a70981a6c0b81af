/**
 * How a cleaned segment replaces the segments it was made from, so that a crash at any point
 * leaves a readable log (Kafka's .cleaned → .swap protocol). The cleaner writes the kept batches
 * of segments with base offsets in [base, end) to `<base>-<end>.cleaned` and fsyncs it; renaming
 * it to `<base>-<end>.swap` (then fsyncing the directory) is the commit point. Installing then
 * removes the old segments and indexes in [base, end) and renames the swap file to `<base>.log`.
 *
 * On open, before segments are listed: a `.cleaned` file is an interrupted cleaning and is
 * removed (the old segments are intact); a `.swap` file is a committed one, and its install is
 * finished (removing whichever old segments are still there). The index of the new segment is
 * rebuilt from the log, as for any segment without a usable index.
 */

import { readdirSync, utimesSync, writeSync } from "node:fs";
import { join } from "node:path";
import { closeFile, fsyncDir, fsyncFile, openFile, removePath, renameFile } from "../../shared/file-io.ts";
import { indexFileName, segmentFileName } from "./segment.ts";

const pad = (n: number) => String(n).padStart(20, "0");
const NAME = /^(\d{20})-(\d{20})\.(cleaned|swap)$/;

/** The file a cleaning of the segments in [base, end) writes, before it is committed. */
export class CleanedFile {
  private readonly fd: number;
  private size = 0;
  readonly path: string;

  constructor(
    private readonly dir: string,
    readonly base: number,
    readonly end: number,
  ) {
    this.path = join(dir, `${pad(base)}-${pad(end)}.cleaned`);
    this.fd = openFile(this.path, "w");
  }

  append(buf: Buffer): void {
    let written = 0;
    while (written < buf.length) {
      written += writeSync(this.fd, buf, written, buf.length - written, this.size + written);
    }
    this.size += buf.length;
  }

  /** Durable, then renamed to `.swap`: from here on a restart installs it. */
  commit(mtimeMs: number): void {
    fsyncFile(this.fd);
    closeFile(this.fd);
    // Time retention of a closed segment reads its file's mtime: keep the newest record's time.
    if (mtimeMs > 0) utimesSync(this.path, mtimeMs / 1000, mtimeMs / 1000);
    renameFile(this.path, swapPath(this.dir, this.base, this.end));
    fsyncDir(this.dir);
  }

  /** Gives up (the log changed under the cleaner, or an error): the old segments stay. */
  abandon(): void {
    try {
      closeFile(this.fd);
    } catch {
      // already closed by commit
    }
    removePath(this.path);
  }
}

function swapPath(dir: string, base: number, end: number): string {
  return join(dir, `${pad(base)}-${pad(end)}.swap`);
}

/**
 * Replaces the segments with bases in `oldBases` (all within [base, end)) by the committed swap
 * file, which becomes `<base>.log`. Old files stay readable through open descriptors until their
 * segments are closed.
 */
export function installSwap(dir: string, base: number, end: number, oldBases: readonly number[]): void {
  for (const b of oldBases) {
    removePath(join(dir, indexFileName(b)));
    if (b !== base) removePath(join(dir, segmentFileName(b)));
  }
  renameFile(swapPath(dir, base, end), join(dir, segmentFileName(base)));
  fsyncDir(dir);
}

/** Recovery on open: drops uncommitted cleanings, finishes committed ones. Returns what it did. */
export function finishSwaps(dir: string): string[] {
  const done: string[] = [];
  const files = readdirSync(dir);
  for (const f of files) {
    const m = NAME.exec(f);
    if (!m) continue;
    const base = Number(m[1]);
    const end = Number(m[2]);
    if (m[3] === "cleaned") {
      removePath(join(dir, f));
      done.push(`removed the unfinished cleaning ${f}`);
      continue;
    }
    const old = files
      .filter((g) => /^\d{20}\.log$/.test(g))
      .map((g) => Number(g.slice(0, 20)))
      .filter((b) => b >= base && b < end);
    installSwap(dir, base, end, old);
    done.push(`installed the cleaned segment ${f}`);
  }
  if (done.length > 0) fsyncDir(dir);
  return done;
}
