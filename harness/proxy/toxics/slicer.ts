/**
 * slicer {average_size, size_variation (bytes), delay (µs)}: splits each chunk into smaller writes
 * by recursive random bisection (so slice sizes vary evenly, with no small tail), pausing `delay`
 * between slices. Timers have 1 ms granularity, so any delay below 1000 µs waits about 1 ms.
 */
import { EOF } from "../link/channel.ts";
import { INTERRUPTED } from "../link/stub.ts";
import { attr, type ToxicKind } from "./kind.ts";

/** Slice boundaries [start, end, start, end, ...] for a chunk of `end - start` bytes. */
export function sliceOffsets(
  start: number,
  end: number,
  average: number,
  variation: number,
  random: () => number,
): number[] {
  // Go's base case; the `<= 1` guard stops the recursion Go would run forever with average 0.
  if (end - start - average <= variation || end - start <= 1) return [start, end];
  let mid = start + Math.floor((end - start) / 2);
  if (variation > 0) mid += Math.floor(random() * variation * 2) - variation;
  // Keep both halves non-empty whatever the variation; Go can produce empty or inverted slices here.
  mid = Math.min(end - 1, Math.max(start + 1, mid));
  return [
    ...sliceOffsets(start, mid, average, variation, random),
    ...sliceOffsets(mid, end, average, variation, random),
  ];
}

export const slicer: ToxicKind = {
  type: "slicer",
  attributes: ["average_size", "size_variation", "delay"],
  async pipe(stub, attrs) {
    const average = attr(attrs, "average_size");
    const variation = attr(attrs, "size_variation");
    const delayMs = attr(attrs, "delay") / 1000;
    for (;;) {
      const c = await stub.recv();
      if (c === INTERRUPTED) return;
      if (c === EOF) return stub.close();
      const offsets = sliceOffsets(0, c.data.length, average, variation, stub.random);
      for (let i = 1; i < offsets.length; i += 2) {
        await stub.send({ data: c.data.subarray(offsets[i - 1], offsets[i]), time: c.time });
        if (delayMs > 0 && !(await stub.sleep(Math.max(1, delayMs)))) {
          await stub.send({ data: c.data.subarray(offsets[i]), time: c.time });
          return;
        }
        if (stub.interrupted) {
          await stub.send({ data: c.data.subarray(offsets[i]), time: c.time });
          return;
        }
      }
    }
  },
};
