/** slow_close {delay} (ms): data flows untouched; the end of the stream is held back by `delay`. */
import { EOF } from "../link/channel.ts";
import { INTERRUPTED } from "../link/stub.ts";
import { attr, type ToxicKind } from "./kind.ts";

export const slowClose: ToxicKind = {
  type: "slow_close",
  attributes: ["delay"],
  async pipe(stub, attrs) {
    for (;;) {
      const c = await stub.recv();
      if (c === INTERRUPTED) return;
      if (c === EOF) {
        if (await stub.sleep(attr(attrs, "delay"))) return stub.close();
        // Interrupted while holding the EOF: put it back so the next body (or the next toxic after
        // a removal) still ends the stream. Toxiproxy loses it here and the link never closes.
        stub.input.unshift(EOF);
        return;
      }
      await stub.send(c);
    }
  },
};
