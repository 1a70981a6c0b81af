/**
 * bandwidth {rate} (KB/s, 1 KB = 1000 bytes; rate ≤ 0 = unlimited): each chunk is held for
 * len/rate, with the sleep error carried over so the long-run rate is exact even though timers are
 * coarse; chunks larger than 100 ms worth of data go out in 100 ms slices.
 */
import { EOF } from "../link/channel.ts";
import { INTERRUPTED } from "../link/stub.ts";
import { attr, type ToxicKind } from "./kind.ts";

export const bandwidth: ToxicKind = {
  type: "bandwidth",
  attributes: ["rate"],
  bufferBytes: 1024 * 1024,
  async pipe(stub, attrs) {
    const rate = attr(attrs, "rate");
    let sleep = 0;
    for (;;) {
      const c = await stub.recv();
      if (c === INTERRUPTED) return;
      if (c === EOF) return stub.close();
      let data = c.data;
      sleep = rate <= 0 ? 0 : sleep + data.length / rate;
      const slice = rate * 100;
      while (rate > 0 && data.length > slice) {
        if (!(await stub.sleep(100))) {
          await stub.send({ data, time: c.time });
          return;
        }
        await stub.send({ data: data.subarray(0, slice), time: c.time });
        data = data.subarray(slice);
        sleep -= 100;
      }
      const start = performance.now();
      if (!(await stub.sleep(sleep))) {
        await stub.send({ data, time: c.time });
        return;
      }
      // Timers overshoot; subtract what we actually slept so the next chunk makes up for it.
      sleep -= performance.now() - start;
      await stub.send({ data, time: c.time });
    }
  },
};
