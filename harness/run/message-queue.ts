/**
 * One producer's queued messages, held in typed arrays rather than one object each. A producer
 * offered more than the target takes (a backlogged open loop, as when a capacity search or
 * bench:generator looks for the peak) holds hundreds of thousands of messages; as objects they
 * outlive the young generation and the generator pays the garbage collector's old-generation work
 * for every one. Here a queued message is two numbers (and its key or trace size only when it has
 * one); objects are made only for the batch taken off the front, which dies young.
 */

import type { PlannedMessage } from "../generator/schedule.ts";

export class MessageQueue {
  private seqs: Float64Array<ArrayBuffer> = new Float64Array(64);
  private intended: Float64Array<ArrayBuffer> = new Float64Array(64);
  /** Keys by slot, once any queued message had one. */
  private keys: (string | undefined)[] | undefined;
  /** Trace sizes by slot (0: the workload's size), once any queued message had one. */
  private sizes: Float64Array<ArrayBuffer> | undefined;
  private head = 0;
  private tail = 0;

  constructor(
    private readonly producer: number,
    private readonly producers: number,
  ) {}

  get length(): number {
    return this.tail - this.head;
  }

  /** The oldest queued message's intended time (µs); only when the queue is not empty. */
  headIntendedUs(): number {
    return this.intended[this.head] as number;
  }

  push(m: PlannedMessage): void {
    if (this.tail === this.seqs.length) this.makeRoom();
    const i = this.tail++;
    this.seqs[i] = m.seq;
    this.intended[i] = m.intendedUs;
    if (m.key !== undefined) {
      this.keys ??= [];
      this.keys[i] = m.key;
    } else if (this.keys !== undefined) this.keys[i] = undefined;
    if (m.size !== undefined) {
      this.sizes ??= new Float64Array(this.seqs.length);
      this.sizes[i] = m.size;
    } else if (this.sizes !== undefined) this.sizes[i] = 0;
  }

  /** Removes and returns the oldest `n` (or all, when fewer) as PlannedMessages, oldest first. */
  take(n: number): PlannedMessage[] {
    const k = Math.min(n, this.length);
    const out = new Array<PlannedMessage>(k);
    const { seqs, intended, keys, sizes, producer, producers } = this;
    for (let j = 0; j < k; j++) {
      const i = this.head + j;
      const seq = seqs[i] as number;
      const m: PlannedMessage = {
        index: seq * producers + producer,
        producer,
        seq,
        intendedUs: intended[i] as number,
        key: keys?.[i],
      };
      const size = sizes?.[i];
      if (size) m.size = size;
      out[j] = m;
    }
    this.head += k;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
      if (this.keys) this.keys.length = 0;
    }
    return out;
  }

  /** Slides the queue to the front when most of the array is taken; otherwise doubles it. */
  private makeRoom(): void {
    const len = this.length;
    const cap = this.seqs.length;
    if (this.head >= cap / 2) {
      this.seqs.copyWithin(0, this.head, this.tail);
      this.intended.copyWithin(0, this.head, this.tail);
      this.sizes?.copyWithin(0, this.head, this.tail);
      if (this.keys) this.keys = this.keys.slice(this.head, this.tail);
    } else {
      this.seqs = grow(this.seqs, this.head, this.tail, cap * 2);
      this.intended = grow(this.intended, this.head, this.tail, cap * 2);
      if (this.sizes) this.sizes = grow(this.sizes, this.head, this.tail, cap * 2);
      if (this.keys) this.keys = this.keys.slice(this.head, this.tail);
    }
    this.head = 0;
    this.tail = len;
  }
}

function grow(a: Float64Array, from: number, to: number, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a.subarray(from, to));
  return b;
}
