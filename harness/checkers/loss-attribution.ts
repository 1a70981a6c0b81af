/**
 * Which fault lost which message. The rule: a lost message (acked, never delivered) is charged to
 * the first applied fault that destroys state — kill, restart (a stop drops whatever was held only
 * in memory) or power-loss — and that starts after the message was acked: only such a fault can
 * have destroyed something the engine had confirmed. A loss with no such fault after its ack is
 * unattributed (the engine lost it on its own). Pauses, slow collectors and network faults delay
 * or refuse, they do not destroy, so they are never charged. Duplicates go to the incident during
 * or after which the second copy arrived.
 */

import type { Op } from "../history/op.ts";
import { ACKED, type MessageTable } from "./message-table.ts";

export const LOSS_ATTRIBUTION_RULE =
  "a lost message is charged to the first applied kill, restart or power-loss that started after its ack; none such: unattributed";

export const DESTROYING_KINDS: ReadonlySet<string> = new Set(["kill", "restart", "power-loss"]);

export interface Destroyer {
  name: string;
  startUs: number;
}

/** Lost messages per destroying fault, plus those no fault could have destroyed. */
export function attributeLoss(
  table: MessageTable,
  destroyers: readonly Destroyer[],
): { byFault: Map<string, number>; unattributed: number } {
  const sorted = [...destroyers].sort((a, b) => a.startUs - b.startUs);
  const byFault = new Map<string, number>(sorted.map((d) => [d.name, 0]));
  let unattributed = 0;
  for (const p of table.producers) {
    for (let q = 0; q < p.state.length; q++) {
      if (p.state[q] !== ACKED || (p.delivered[q] as number) > 0) continue;
      const acked = p.ackedUs[q] as number;
      const d = sorted.find((x) => x.startUs > acked);
      if (d) byFault.set(d.name, (byFault.get(d.name) as number) + 1);
      else unattributed++;
    }
  }
  return { byFault, unattributed };
}

/** When each duplicated message's second copy arrived (µs), in no particular order. */
export function secondCopyTimes(ops: readonly Op[], table: MessageTable): number[] {
  const seen = table.producers.map((p) => new Uint8Array(p.state.length));
  const out: number[] = [];
  for (const op of ops) {
    if (op.f !== "deliver") continue;
    const p = table.producers[op.producer];
    const s = seen[op.producer];
    if (!p || !s) continue;
    for (let q = op.from; q <= op.to && q < s.length; q++) {
      if ((p.delivered[q] as number) < 2) continue;
      const c = s[q] as number;
      if (c === 1) out.push(op.t);
      if (c < 2) s[q] = c + 1;
    }
  }
  return out;
}

export const TRUNCATION_ATTRIBUTION_RULE =
  "a truncated-then-rewritten read is charged to the first applied fault that started after it; none such: to the last one active at the read; neither: unattributed";

/**
 * Which fault truncated what the consumers had read (offsets a later leader epoch re-used, see
 * offset-epochs.ts). Any fault can force a leader change — a pause or a partition as much as a
 * kill — so every applied fault may be charged: the first that started after the read (it moved
 * leadership away from a log the reader had seen), else the last one already active at the read
 * (an isolated leader serving reads it will lose).
 */
export function attributeTruncations(
  readTimesUs: readonly number[],
  faults: ReadonlyArray<{ name: string; startUs: number; endUs: number }>,
): { byFault: Map<string, number>; unattributed: number } {
  const sorted = [...faults].sort((a, b) => a.startUs - b.startUs);
  const byFault = new Map<string, number>(sorted.map((f) => [f.name, 0]));
  let unattributed = 0;
  for (const t of readTimesUs) {
    const after = sorted.find((f) => f.startUs > t);
    const during = sorted.filter((f) => f.startUs <= t && f.endUs >= t).at(-1);
    const f = after ?? during;
    if (f) byFault.set(f.name, (byFault.get(f.name) as number) + 1);
    else unattributed++;
  }
  return { byFault, unattributed };
}
