/**
 * Partition leadership decisions, as pure functions of a partition's state and the set of live
 * brokers. These are the rules the scenarios test:
 *  - a leader is chosen from the ISR only, unless unclean election is enabled and no ISR member
 *    is alive, in which case any live replica may lead and the ISR restarts as just that replica;
 *  - a broker that goes away (fenced or shutting down) leaves the ISR, except that the last ISR
 *    member stays (Kafka keeps it, so an ISR member returning can still lead cleanly);
 *  - the preferred replica (the first of the assignment) takes leadership back only while it is
 *    live and in the ISR, with the ISR unchanged (preferred-leader election, Kafka's auto leader
 *    rebalance and ElectLeaders);
 *  - every leader change bumps the leader epoch; every change bumps the partition epoch.
 */

import type { PartitionState } from "./metadata-image.ts";

function changed(a: PartitionState, b: PartitionState): boolean {
  return a.leader !== b.leader || a.isr.join() !== b.isr.join();
}

function finish(before: PartitionState, leader: number, isr: number[]): PartitionState | null {
  const next: PartitionState = {
    ...before,
    leader,
    isr,
    leaderEpoch: leader !== before.leader ? before.leaderEpoch + 1 : before.leaderEpoch,
    partitionEpoch: before.partitionEpoch + 1,
  };
  return changed(before, next) ? next : null;
}

/** The state after `gone` stops being available; null when nothing changes. */
export function removeBroker(
  p: PartitionState,
  gone: number,
  live: ReadonlySet<number>,
  unclean: boolean,
): PartitionState | null {
  if (!p.replicas.includes(gone)) return null;
  const isr = p.isr.length > 1 ? p.isr.filter((b) => b !== gone) : p.isr;
  let leader = p.leader;
  if (leader === gone || leader === -1) {
    leader = isr.find((b) => b !== gone && live.has(b)) ?? -1;
    if (leader === -1 && unclean) {
      const any = p.replicas.find((b) => b !== gone && live.has(b));
      if (any !== undefined) return finish(p, any, [any]);
    }
  }
  return finish(p, leader, leader === -1 ? isr : isr);
}

/** The state when `back` becomes available again: an offline partition may get a leader. */
export function addBroker(
  p: PartitionState,
  back: number,
  live: ReadonlySet<number>,
  unclean: boolean,
): PartitionState | null {
  if (!p.replicas.includes(back) || p.leader !== -1) return null;
  const fromIsr = p.isr.find((b) => live.has(b));
  if (fromIsr !== undefined) return finish(p, fromIsr, p.isr);
  if (unclean) return finish(p, back, [back]);
  return null;
}

/**
 * Preferred-leader election: the first replica of the assignment leads, if it is live and in the
 * ISR (so it holds every committed record). Null when it already leads or cannot.
 */
export function electPreferred(p: PartitionState, live: ReadonlySet<number>): PartitionState | null {
  const preferred = p.replicas[0];
  if (preferred === undefined || p.leader === preferred) return null;
  if (!live.has(preferred) || !p.isr.includes(preferred)) return null;
  return finish(p, preferred, p.isr);
}

/**
 * An offline partition gets a leader even if committed data is lost: a live ISR member if there
 * is one, else the first live replica with an ISR of itself. Null when it has a leader or no
 * replica is live.
 */
export function electUnclean(p: PartitionState, live: ReadonlySet<number>): PartitionState | null {
  if (p.leader !== -1) return null;
  const any = p.replicas.find((b) => live.has(b));
  return any === undefined ? null : addBroker(p, any, live, true);
}

/** Round-robin assignment (Kafka's rack-unaware one): partition i starts at broker i mod n. */
export function assignReplicas(brokers: number[], partitions: number, rf: number, start = 0): number[][] {
  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    const r: number[] = [];
    for (let i = 0; i < rf; i++) r.push(brokers[(start + p + i) % brokers.length]!);
    out.push(r);
  }
  return out;
}
