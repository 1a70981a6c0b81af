/** noop: forwards every chunk unchanged. Also what a connection runs when a toxic's toxicity roll fails. */
import { EOF } from "../link/channel.ts";
import { INTERRUPTED, type Stub } from "../link/stub.ts";
import type { ToxicKind } from "./kind.ts";

export async function forwardAll(stub: Stub): Promise<void> {
  for (;;) {
    const c = await stub.recv();
    if (c === INTERRUPTED) return;
    if (c === EOF) return stub.close();
    await stub.send(c);
  }
}

export const noop: ToxicKind = {
  type: "noop",
  attributes: [],
  pipe: (stub) => forwardAll(stub),
};
