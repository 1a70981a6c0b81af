/** The toxic types this server accepts, by Toxiproxy type name. */
import { bandwidth } from "./bandwidth.ts";
import type { ToxicKind } from "./kind.ts";
import { latency } from "./latency.ts";
import { limitData } from "./limit_data.ts";
import { noop } from "./noop.ts";
import { resetPeer } from "./reset_peer.ts";
import { slicer } from "./slicer.ts";
import { slowClose } from "./slow_close.ts";
import { timeout } from "./timeout.ts";

const kinds: readonly ToxicKind[] = [
  noop,
  latency,
  bandwidth,
  slowClose,
  timeout,
  resetPeer,
  slicer,
  limitData,
];

export const toxicKinds: ReadonlyMap<string, ToxicKind> = new Map(kinds.map((k) => [k.type, k]));
