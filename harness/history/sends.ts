/**
 * Sends paired with their outcomes, once per analysis: every invoke with the ok, fail or info that
 * answered it (matched by request id), or none when the run ended first. Everything that needs a
 * send's outcome (the message table, throughput and latency, fault detection) reads these pairs
 * instead of pairing the history again.
 */

import type { Op, SendOp } from "./op.ts";

export interface SendPair {
  invoke: SendOp;
  /** The ok, fail or info that answered the invoke; undefined if the run ended first. */
  completion?: SendOp;
}

/** The run's sends in invoke order. Pure. */
export function pairSends(ops: readonly Op[]): SendPair[] {
  const out: SendPair[] = [];
  const open = new Map<number, SendPair>();
  for (const op of ops) {
    if (op.f !== "send") continue;
    const s = op as SendOp;
    if (s.type === "invoke") {
      const pair: SendPair = { invoke: s };
      open.set(s.req, pair);
      out.push(pair);
      continue;
    }
    const pair = open.get(s.req);
    if (!pair) continue;
    open.delete(s.req);
    pair.completion = s;
  }
  return out;
}

/** How many messages a send covers. */
export function sendCount(s: Pick<SendOp, "from" | "to" | "seqs">): number {
  return s.seqs ? s.seqs.length : s.to - s.from + 1;
}

/** The `i`-th message id a send covers (0 ≤ i < sendCount). */
export function sendSeq(s: Pick<SendOp, "from" | "seqs">, i: number): number {
  return s.seqs ? (s.seqs[i] as number) : s.from + i;
}
