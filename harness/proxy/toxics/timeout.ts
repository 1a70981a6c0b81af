/**
 * timeout {timeout} (ms): a black hole. Every chunk is dropped; after `timeout` ms without a chunk
 * the link closes (each chunk restarts the wait, as Go's time.After in the loop does); 0 never
 * closes. Removing the toxic closes the link, even on connections whose toxicity roll made it a noop.
 */
import { EOF } from "../link/channel.ts";
import { INTERRUPTED, TIMED_OUT } from "../link/stub.ts";
import { attr, type ToxicKind } from "./kind.ts";

export const timeout: ToxicKind = {
  type: "timeout",
  attributes: ["timeout"],
  async pipe(stub, attrs) {
    const ms = attr(attrs, "timeout");
    for (;;) {
      const c = await stub.recvWithin(ms);
      if (c === INTERRUPTED) return;
      if (c === TIMED_OUT || c === EOF) return stub.close();
      // Anything else is data: dropped on the ground.
    }
  },
  cleanup(stub) {
    stub.close();
  },
};
