/**
 * What a lost worker may still have sent: every message of its slice after the last one the
 * coordinator saw it invoke, per producer, as contiguous id ranges. The coordinator records them as
 * sends with unknown outcome, so a lost worker's slice is never silently smaller. Pure.
 */

import type { ScheduleWorkload } from "../generator/schedule.ts";
import { type Slice, SlicedSchedule } from "../generator/slice.ts";

export interface IdRange {
  producer: number;
  from: number;
  to: number;
}

/** `lastInvoked[p]` is the highest seq seen invoked for producer p (absent: none). */
export function unseenSends(
  w: ScheduleWorkload,
  seed: number,
  slice: Slice,
  lastInvoked: ReadonlyMap<number, number>,
): IdRange[] {
  const open = new Map<number, IdRange>();
  const out: IdRange[] = [];
  const s = new SlicedSchedule(w, seed, slice);
  for (let m = s.next(); m !== undefined; m = s.next()) {
    if (m.seq <= (lastInvoked.get(m.producer) ?? -1)) continue;
    const r = open.get(m.producer);
    if (r && r.to + 1 === m.seq) r.to = m.seq;
    else {
      const nr = { producer: m.producer, from: m.seq, to: m.seq };
      open.set(m.producer, nr);
      out.push(nr);
    }
  }
  return out;
}
