/**
 * A single-reader FIFO between two stages of a toxic chain, the Node stand-in for the Go channels
 * Toxiproxy wires its toxics with. Writes never block or drop (so an interrupted stage can always
 * hand its data on); backpressure is advisory: producers ask `full()` and await `space()`, which
 * keeps memory bounded without risking a deadlock while a chain is rewired.
 */

export interface Chunk {
  data: Buffer;
  /** performance.now() when the bytes arrived at the proxy; latency is measured from here. */
  time: number;
}

/** End of stream: the source closed, or a toxic closed the link. */
export const EOF: unique symbol = Symbol("eof");
export type Item = Chunk | typeof EOF;

export class Channel {
  private items: Item[] = [];
  private head = 0;
  private bytes = 0;
  private reader: ((item: Item) => void) | undefined;
  private spaceWaiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  full(): boolean {
    return this.bytes >= this.capacity;
  }

  push(item: Item): void {
    const reader = this.reader;
    if (reader !== undefined && this.length === 0) {
      this.reader = undefined;
      reader(item);
      return;
    }
    if (item !== EOF) this.bytes += item.data.length;
    this.items.push(item);
  }

  /** Puts an item back at the front (used when a stage is interrupted holding an unconsumed EOF). */
  unshift(item: Item): void {
    if (this.reader !== undefined) {
      const reader = this.reader;
      this.reader = undefined;
      reader(item);
      return;
    }
    if (item !== EOF) this.bytes += item.data.length;
    if (this.head > 0) {
      this.head--;
      this.items[this.head] = item;
    } else {
      this.items.unshift(item);
    }
  }

  /** The next item, or undefined when empty. */
  shift(): Item | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as Item;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    } else if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    if (item !== EOF) this.bytes -= item.data.length;
    if (this.spaceWaiters.length > 0 && this.bytes < this.capacity) this.wakeSpace();
    return item;
  }

  /** Registers the single reader; it is called once with the next item pushed. */
  onItem(reader: (item: Item) => void): void {
    this.reader = reader;
  }

  cancelRead(): void {
    this.reader = undefined;
  }

  /** Resolves once the queue is below capacity (or the channel is retired). */
  space(): Promise<void> {
    if (this.bytes < this.capacity) return Promise.resolve();
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Removes every queued item, e.g. to move them into the next channel when a stage is removed. */
  drainAll(): Item[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    this.wakeSpace();
    return out;
  }

  /** Wakes every producer waiting for space; used when the channel leaves the chain. */
  retire(): void {
    this.wakeSpace();
  }

  private wakeSpace(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }
}
