/**
 * The drain step: after the load, wait for the nemeses to heal, for every request to answer, and
 * for every acked (or indeterminate) message to be delivered — at most `drainMs`, counted from the
 * end of the load or from the last heal, whichever is later.
 */

import { performance } from "node:perf_hooks";

export interface DrainDeps {
  /** Resolve when every fault, heal included, is done. */
  nemeses: readonly { idle(): Promise<void> }[];
  /** Resolves when no request is outstanding. */
  settled: () => Promise<void>;
  /** Acked or indeterminate messages not delivered yet. */
  awaiting: () => number;
  drainMs: number;
  pollMs?: number;
}

export async function drain(d: DrainDeps): Promise<void> {
  const drainDeadline = performance.now() + d.drainMs;
  for (const n of d.nemeses) await n.idle();
  // The drain clock starts when the last heal is done, if that was after the load.
  const deadline = Math.max(drainDeadline, performance.now() + d.drainMs);
  await d.settled();
  while (d.awaiting() > 0 && performance.now() < deadline) await sleep(d.pollMs ?? 20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
