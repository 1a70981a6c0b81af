/**
 * Durable Raft state of one controller: the current term and vote (`raft/state.json`, replaced
 * atomically) and the log (`raft/log.ndjson`, one entry per line, appended and fsynced before a
 * vote or an append is acknowledged, as Raft requires). Conflicting suffixes are rare (only after
 * a leader change), so truncation rewrites the file. Every file operation goes through the shared
 * file-I/O layer, so a power-loss fault rolls this node's Raft state back to what it fsynced; the
 * directory is fsynced after each replacement, so a term, a vote or a truncation, once
 * acknowledged, survives a power cut.
 */

import { existsSync, mkdirSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { closeFile, fsyncDir, fsyncFile, makeDir, openFile, renameFile } from "../../shared/file-io.ts";

export interface RaftEntry {
  term: number;
  cmd: unknown;
}

export class RaftStorage {
  term = 0;
  votedFor: number | null = null;
  /** entries[i] has index i + 1. */
  entries: RaftEntry[] = [];
  private readonly dir: string;
  private fd: number;

  constructor(dataDir: string) {
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
    const logFile = join(this.dir, "log.ndjson");
    if (existsSync(logFile)) {
      for (const line of readFileSync(logFile, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        try {
          this.entries.push(JSON.parse(line) as RaftEntry);
        } catch {
          break; // a torn last line after a crash: everything before it was fsynced
        }
      }
    }
    this.fd = openFile(logFile, "a");
    fsyncDir(this.dir);
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  termAt(index: number): number {
    return index === 0 ? 0 : (this.entries[index - 1]?.term ?? -1);
  }

  saveState(term: number, votedFor: number | null): void {
    this.term = term;
    this.votedFor = votedFor;
    const file = join(this.dir, "state.json");
    const tmp = `${file}.tmp`;
    const fd = openFile(tmp, "w");
    writeSync(fd, JSON.stringify({ term, votedFor }));
    fsyncFile(fd);
    closeFile(fd);
    renameFile(tmp, file);
    fsyncDir(this.dir);
  }

  append(entries: RaftEntry[]): void {
    if (entries.length === 0) return;
    this.entries.push(...entries);
    writeSync(this.fd, entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
    fsyncFile(this.fd);
  }

  /** Drops entries from `index` on (index is 1-based). */
  truncateFrom(index: number): void {
    if (index > this.entries.length) return;
    this.entries.length = index - 1;
    closeFile(this.fd);
    const file = join(this.dir, "log.ndjson");
    const tmp = `${file}.tmp`;
    const fd = openFile(tmp, "w");
    writeSync(fd, this.entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
    fsyncFile(fd);
    closeFile(fd);
    renameFile(tmp, file);
    fsyncDir(this.dir);
    this.fd = openFile(file, "a");
  }

  close(): void {
    closeFile(this.fd);
  }
}
