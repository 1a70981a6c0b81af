/**
 * reset_peer {timeout} (ms): when the first chunk (or EOF) arrives, it is discarded, and after
 * `timeout` the link closes. The connection sets SO_LINGER 0 on both sockets whenever this toxic is
 * on the chain (even when the toxicity roll made it a noop, Toxiproxy #603), so that close is a TCP
 * RST and the peer sees ECONNRESET. The linger part lives in the connection (`resetsPeer`).
 */
import { INTERRUPTED } from "../link/stub.ts";
import { attr, type ToxicKind } from "./kind.ts";

export const resetPeer: ToxicKind = {
  type: "reset_peer",
  attributes: ["timeout"],
  async pipe(stub, attrs) {
    const c = await stub.recv();
    if (c === INTERRUPTED) return;
    // Go waits here without watching the interrupt; we let an interrupt cut the wait short.
    if (!(await stub.sleep(attr(attrs, "timeout")))) return;
    stub.close();
  },
};
