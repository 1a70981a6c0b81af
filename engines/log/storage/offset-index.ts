/**
 * Sparse offset index of one segment: every `index.interval.bytes` of log, one entry mapping a
 * batch's base offset (relative to the segment) to its byte position. A lookup gives the last
 * indexed batch at or before an offset, from which a reader scans forward a few KiB at most.
 *
 * File `<base>.index` => [relative_offset INT32 position INT32]*   (appended as the log grows)
 *
 * The in-memory copy is authoritative; the file only saves a rescan of closed segments on restart
 * and is rebuilt from the log whenever it looks inconsistent.
 */

import { readFileSync, writeSync } from "node:fs";
import { closeFile, openFile } from "../../shared/file-io.ts";

export class OffsetIndex {
  private rel = new Int32Array(64);
  private pos = new Int32Array(64);
  private n = 0;
  private fd: number;
  readonly path: string;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.fd = fd;
  }

  /** A new, empty index file (truncating any existing one). */
  static create(path: string): OffsetIndex {
    return new OffsetIndex(path, openFile(path, "w"));
  }

  /**
   * Loads an index file and checks it against the segment: entries strictly increasing and inside
   * the log. Returns undefined when the file is missing or inconsistent (the caller rebuilds).
   */
  static load(path: string, segmentBytes: number): OffsetIndex | undefined {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch {
      return undefined;
    }
    if (data.length % 8 !== 0) return undefined;
    const idx = new OffsetIndex(path, openFile(path, "a"));
    let lastRel = -1;
    let lastPos = -1;
    for (let i = 0; i < data.length; i += 8) {
      const r = data.readInt32BE(i);
      const p = data.readInt32BE(i + 4);
      if (r <= lastRel || p <= lastPos || p >= segmentBytes) {
        idx.close();
        return undefined;
      }
      idx.push(r, p);
      lastRel = r;
      lastPos = p;
    }
    return idx;
  }

  get entries(): number {
    return this.n;
  }

  private push(relOffset: number, position: number): void {
    if (this.n === this.rel.length) {
      const r = new Int32Array(this.n * 2);
      r.set(this.rel);
      this.rel = r;
      const p = new Int32Array(this.n * 2);
      p.set(this.pos);
      this.pos = p;
    }
    this.rel[this.n] = relOffset;
    this.pos[this.n] = position;
    this.n++;
  }

  /** Adds an entry (in memory and on disk). Offsets and positions must increase. */
  append(relOffset: number, position: number): void {
    this.push(relOffset, position);
    const b = Buffer.allocUnsafe(8);
    b.writeInt32BE(relOffset, 0);
    b.writeInt32BE(position, 4);
    writeSync(this.fd, b);
  }

  /** Position of the last indexed batch whose relative base offset ≤ `relOffset` (0 if none). */
  lookup(relOffset: number): number {
    let lo = 0;
    let hi = this.n - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid]! <= relOffset) {
        found = this.pos[mid]!;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  close(): void {
    closeFile(this.fd);
  }
}
