/**
 * A growable ring buffer used as a channel's queue: O(1) push at the tail, pop at the head, and
 * putting a rolled-back batch back at the head in its original order (Flume's rollback rule),
 * without the O(n) shifting an Array would do.
 */

export class Deque<T> {
  private buf: (T | undefined)[] = new Array(64);
  private head = 0;
  private len = 0;

  get length(): number {
    return this.len;
  }

  push(v: T): void {
    if (this.len === this.buf.length) this.grow(this.len + 1);
    this.buf[(this.head + this.len) & (this.buf.length - 1)] = v;
    this.len++;
  }

  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.len--;
    return v;
  }

  /** Puts `items` back at the head so that items[0] becomes the new head. */
  unshiftAll(items: readonly T[]): void {
    if (this.len + items.length > this.buf.length) this.grow(this.len + items.length);
    const mask = this.buf.length - 1;
    for (let i = items.length - 1; i >= 0; i--) {
      this.head = (this.head - 1) & mask;
      this.buf[this.head] = items[i];
    }
    this.len += items.length;
  }

  /** Elements head to tail (for checkpoints and tests). */
  *[Symbol.iterator](): IterableIterator<T> {
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & mask] as T;
  }

  private grow(min: number): void {
    let size = this.buf.length * 2;
    while (size < min) size *= 2;
    const next: (T | undefined)[] = new Array(size);
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & mask];
    this.buf = next;
    this.head = 0;
  }
}
