/**
 * Slices of one seeded schedule, after k6's execution segments: slice i of n owns the producers
 * in [⌊i·P/n⌋, ⌊(i+1)·P/n⌋), and with them every message those producers send, at the same
 * intended times, sequence numbers and keys as in the whole plan. Slices are disjoint and their
 * union is the single-process plan exactly, so n load workers (on one machine or several) send
 * precisely what one would have, and their histories merge without renumbering.
 *
 * Producers, not messages, are what is split: a batch is an id range of one producer, so a
 * producer must live in exactly one worker. Pure; a slice is plain JSON so it can travel.
 */

import { type PlannedMessage, Schedule, type ScheduleWorkload } from "./schedule.ts";

export interface Slice {
  /** 0-based index of this slice. */
  index: number;
  /** How many slices the plan is cut into. */
  count: number;
}

/** The producers a slice owns: [from, to). */
export function producersOf(slice: Slice, producers: number): { from: number; to: number } {
  return {
    from: Math.floor((slice.index * producers) / slice.count),
    to: Math.floor(((slice.index + 1) * producers) / slice.count),
  };
}

/** Every slice of an n-way split. */
export function slices(count: number): Slice[] {
  return Array.from({ length: count }, (_, index) => ({ index, count }));
}

/** Why a split cannot work, or undefined. */
export function sliceProblem(count: number, producers: number): string | undefined {
  if (!Number.isInteger(count) || count < 1) return "must be a whole number ≥ 1";
  if (count > producers)
    return `${count} workers need at least ${count} producers (a producer lives in one worker); raise workload.producers or lower workload.workers`;
  return undefined;
}

/** `i/n` (1-based, as k6 writes execution segments) → a slice. */
export function parseSlice(text: string): Slice | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || i < 1 || i > n) return undefined;
  return { index: i - 1, count: n };
}

export function formatSlice(s: Slice): string {
  return `${s.index + 1}/${s.count}`;
}

/** The part of the schedule one slice sends: the same iterator interface as Schedule. */
export class SlicedSchedule {
  private readonly inner: Schedule;
  private readonly from: number;
  private readonly to: number;
  /** Index of the inner schedule's next message. */
  private i = 0;

  constructor(
    private readonly w: ScheduleWorkload,
    seed: number,
    slice: Slice,
  ) {
    this.inner = new Schedule(w, seed);
    ({ from: this.from, to: this.to } = producersOf(slice, w.producers));
  }

  private skipOthers(): void {
    for (;;) {
      const p = this.i % this.w.producers;
      if (p >= this.from && p < this.to) return;
      if (this.inner.next() === undefined) return;
      this.i++;
    }
  }

  peekUs(): number {
    this.skipOthers();
    return this.inner.peekUs();
  }

  next(): PlannedMessage | undefined {
    this.skipOthers();
    const m = this.inner.next();
    if (m) this.i++;
    return m;
  }
}
