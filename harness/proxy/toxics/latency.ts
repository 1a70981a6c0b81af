/**
 * latency {latency, jitter} (ms): each chunk leaves `latency ± jitter` after it *arrived*, so a
 * steady stream is shifted in time rather than throttled (a chunk that waited in the queue behind
 * another has already served part of its delay).
 */
import { EOF } from "../link/channel.ts";
import { INTERRUPTED } from "../link/stub.ts";
import { type Attributes, attr, type ToxicKind } from "./kind.ts";

function delayMs(attrs: Attributes, random: () => number): number {
  const jitter = attr(attrs, "jitter");
  let delay = attr(attrs, "latency");
  // Go: rand.Int63n(jitter*2) - jitter, an integer in [-jitter, jitter).
  if (jitter > 0) delay += Math.floor(random() * jitter * 2) - jitter;
  return delay;
}

export const latency: ToxicKind = {
  type: "latency",
  attributes: ["latency", "jitter"],
  bufferBytes: 32 * 1024 * 1024,
  async pipe(stub, attrs) {
    for (;;) {
      const c = await stub.recv();
      if (c === INTERRUPTED) return;
      if (c === EOF) return stub.close();
      const sleep = delayMs(attrs, stub.random) - (performance.now() - c.time);
      if (!(await stub.sleep(sleep))) {
        // Interrupted: hand the chunk on undelayed rather than drop it (as Toxiproxy does).
        await stub.send(c);
        return;
      }
      await stub.send({ data: c.data, time: c.time + Math.max(0, sleep) });
    }
  },
};
