/**
 * The newest batches a leader appended, kept in memory as the very buffers they were appended from
 * (already stamped, byte-identical to the segment file), so followers fetching at the tail — which
 * is where they fetch in steady state — are served without a file read and a fresh buffer per
 * fetch. This stands in for what Kafka gets from the page cache and sendfile. Only a contiguous run
 * of batches ending at the log end is kept; anything older, or any gap (truncation, replicated
 * appends), sends readers to the segment files. The bound counts each entry's whole backing
 * ArrayBuffer (a batch may be a slice of a larger request frame), so pinned memory never exceeds it.
 */

interface Entry {
  base: number;
  last: number;
  buf: Buffer;
  cost: number;
}

export class TailCache {
  private entries: Entry[] = [];
  private head = 0;
  private pinned = 0;

  constructor(public maxBytes: number) {}

  /** Remembers an appended batch; it must follow the previous one, else the cache restarts. */
  add(base: number, last: number, buf: Buffer): void {
    if (this.maxBytes <= 0) return;
    const cost = buf.buffer.byteLength;
    const prev = this.entries[this.entries.length - 1];
    if (cost > this.maxBytes || (prev && this.head < this.entries.length && prev.last + 1 !== base)) {
      this.clear();
      if (cost > this.maxBytes) return;
    }
    while (this.pinned + cost > this.maxBytes && this.head < this.entries.length) {
      this.pinned -= this.entries[this.head]!.cost;
      this.entries[this.head++] = undefined as unknown as Entry;
    }
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.entries.push({ base, last, buf, cost });
    this.pinned += cost;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.pinned = 0;
  }

  /**
   * Whole batches from the one containing `offset`, with Segment.read's rules: none reaching
   * `upTo` (exclusive), stop once `maxBytes` is passed, but the first one always when
   * `minOneBatch` (KIP-74). Undefined when `offset` is not cached (read the segments instead).
   */
  read(offset: number, maxBytes: number, upTo: number, minOneBatch: boolean): Buffer | null | undefined {
    const e = this.entries;
    if (this.head >= e.length || offset < e[this.head]!.base || offset > e[e.length - 1]!.last)
      return undefined;
    let i = e.length - 1;
    while (e[i]!.base > offset) i--;
    const picked: Buffer[] = [];
    let bytes = 0;
    for (; i < e.length; i++) {
      const x = e[i]!;
      if (x.last >= upTo) break;
      if ((picked.length > 0 || !minOneBatch) && bytes + x.buf.length > maxBytes) break;
      picked.push(x.buf);
      bytes += x.buf.length;
    }
    if (picked.length === 0) return null;
    return picked.length === 1 ? picked[0]! : Buffer.concat(picked, bytes);
  }
}
