/**
 * Which fault lost which message. The rule: a lost message (acked, never delivered) is charged to
 * the first applied fault that destroys state — kill, restart (a stop drops whatever was held only
 * in memory) or power-loss — and that starts after the message was acked: only such a fault can
 * have destroyed something the engine had confirmed. A loss with no such fault after its ack is
 * unattributed (the engine lost it on its own). Pauses, slow collectors and network faults delay
 * or refuse, they do not destroy, so they are never charged — except where leadership moves
 * between servers (a replicated log): there a fault that could move it (a server's pause, a cut
 * between servers; leadership-faults.ts) lets a new leader truncate what the old one acked, so a
 * loss that no kill, restart or power loss after its ack explains is charged to the first such
 * fault active at its ack (an isolated leader acking writes only it holds) or started after it. Duplicates go to the incident during or after which the second
 * copy arrived.
 */

import type { Op } from "../history/op.ts";
import { ACKED, type MessageTable } from "./message-table.ts";

export const LOSS_ATTRIBUTION_RULE =
  "a lost message is charged to the first applied kill, restart or power-loss that started after its ack; none such: unattributed";

/**
 * After a cut heals, the old leader still acks until its next metadata poll tells it of its
 * successor: acks that soon after the heal are the cut's too.
 */
export const LEADERSHIP_GRACE_US = 1_000_000;

export const REPLICATED_LOSS_ATTRIBUTION_RULE =
  "a lost message is charged to the first applied kill, restart or power-loss that started after its ack; none such: to the first fault that could move leadership (a server's pause, a cut or toxic between servers) active at its ack (or healed at most 1 s before it) or started after it; neither: unattributed";

export const DESTROYING_KINDS: ReadonlySet<string> = new Set(["kill", "restart", "power-loss"]);

export interface Destroyer {
  name: string;
  startUs: number;
  /**
   * When the scenario planned it (ms into the run). Faults planned for the same moment start
   * milliseconds apart in whatever order the nemesis's tasks ran, so "first" ranks by plan, then
   * by the scenario's order, and a figure does not move between runs on that jitter; without it,
   * by the actual start.
   */
  plannedMs?: number;
  /**
   * Set for a fault that destroys by moving leadership: it is also charged with what was acked
   * while it was active (until it healed), not only before it started.
   */
  endUs?: number;
}

/** Lost messages per destroying fault, plus those no fault could have destroyed. */
export function attributeLoss(
  table: MessageTable,
  destroyers: readonly Destroyer[],
): { byFault: Map<string, number>; unattributed: number } {
  const sorted = byPlan(destroyers);
  const byFault = new Map<string, number>(sorted.map((d) => [d.name, 0]));
  let unattributed = 0;
  for (const p of table.producers) {
    for (let q = 0; q < p.state.length; q++) {
      if (p.state[q] !== ACKED || (p.delivered[q] as number) > 0) continue;
      const acked = p.ackedUs[q] as number;
      // A kill, restart or power loss after the ack destroys for certain; a fault that could only
      // move leadership (a pause of a follower too) is charged only when no such fault came.
      const d =
        sorted.find((x) => x.endUs === undefined && x.startUs > acked) ??
        sorted.find(
          (x) => x.endUs !== undefined && (x.startUs > acked || x.endUs + LEADERSHIP_GRACE_US >= acked),
        );
      if (d) byFault.set(d.name, (byFault.get(d.name) as number) + 1);
      else unattributed++;
    }
  }
  return { byFault, unattributed };
}

/** Faults in the order "first" means: planned time, then the given (scenario) order (a stable sort). */
function byPlan<T extends { startUs: number; plannedMs?: number }>(faults: readonly T[]): T[] {
  const key = (f: T) => (f.plannedMs !== undefined ? f.plannedMs * 1000 : f.startUs);
  return [...faults].sort((a, b) => key(a) - key(b));
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
  "a truncated-then-rewritten read is charged to the first applied fault that could move leadership (a server's kill, pause, restart or power loss; a cut or toxic between two servers) that started after it; none such: to the last such fault active at the read; neither: unattributed";

/**
 * Which fault truncated what the consumers had read (offsets a later leader epoch re-used, see
 * offset-epochs.ts). A pause or a partition forces a leader change as much as a kill, so every
 * fault that could move leadership (leadership-faults.ts; the caller passes only those) may be
 * charged: the first that started after the read (it moved leadership away from a log the reader
 * had seen), else the last one already active at the read (an isolated leader serving reads it
 * will lose).
 */
export function attributeTruncations(
  readTimesUs: readonly number[],
  faults: ReadonlyArray<{ name: string; startUs: number; endUs: number; plannedMs?: number }>,
): { byFault: Map<string, number>; unattributed: number } {
  const sorted = byPlan(faults);
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
