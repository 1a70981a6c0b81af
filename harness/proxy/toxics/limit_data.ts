/**
 * limit_data {bytes}: forwards at most `bytes` per connection and direction, then closes the link.
 * The count lives in per-connection state so updating the limit does not reset it.
 */
import { EOF } from "../link/channel.ts";
import { INTERRUPTED } from "../link/stub.ts";
import { attr, type ToxicKind } from "./kind.ts";

interface LimitState {
  transmitted: number;
}

export const limitData: ToxicKind = {
  type: "limit_data",
  attributes: ["bytes"],
  newState: (): LimitState => ({ transmitted: 0 }),
  async pipe(stub, attrs) {
    const state = stub.state as LimitState;
    const limit = attr(attrs, "bytes");
    for (;;) {
      const c = await stub.recv();
      if (c === INTERRUPTED) return;
      if (c === EOF) return stub.close();
      const remaining = Math.max(0, limit - state.transmitted);
      const data = remaining < c.data.length ? c.data.subarray(0, remaining) : c.data;
      if (data.length > 0) {
        state.transmitted += data.length;
        await stub.send({ data, time: c.time });
      }
      if (limit - state.transmitted <= 0) return stub.close();
    }
  },
};
