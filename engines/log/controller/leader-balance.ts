/**
 * Kafka's automatic leader rebalance (`auto.leader.rebalance.enable`), as a pure function of the
 * metadata image. Leaderships that moved away from a broker (it was fenced, shut down or
 * restarted) never come back on their own, so after a rolling restart one broker can lead
 * everything. Each partition has a preferred leader, the first replica of its assignment, and the
 * assignments spread those evenly; the active controller periodically hands leadership back.
 *
 * Per broker, as Kafka's controller counts it: of the partitions whose preferred replica it is,
 * the share it does not lead (offline ones included) is its imbalance. Only for a broker whose
 * imbalance exceeds `leader.imbalance.per.broker.percentage` are its partitions moved back — each
 * only if the broker is live and in that partition's ISR (electPreferred), so the new leader holds
 * every committed record; the old leader's acks stop at the new leader epoch.
 */

import { electPreferred } from "./election.ts";
import {
  liveBrokers,
  type MetadataImage,
  type MetadataRecord,
  type PartitionState,
} from "./metadata-image.ts";

export interface BrokerImbalance {
  broker: number;
  /** Partitions whose preferred replica is this broker. */
  preferred: number;
  /** …of which another broker leads (or none). */
  notLeading: number;
}

/** Each broker that is some partition's preferred replica, with how many of those it does not lead. */
export function leaderImbalance(image: MetadataImage): BrokerImbalance[] {
  const by = new Map<number, BrokerImbalance>();
  for (const t of Object.values(image.topics)) {
    for (const p of t.partitions) {
      const preferred = p.replicas[0];
      if (preferred === undefined) continue;
      let b = by.get(preferred);
      if (!b) {
        b = { broker: preferred, preferred: 0, notLeading: 0 };
        by.set(preferred, b);
      }
      b.preferred++;
      if (p.leader !== preferred) b.notLeading++;
    }
  }
  return [...by.values()].sort((a, b) => a.broker - b.broker);
}

export interface RebalancePlan {
  records: MetadataRecord[];
  /** One line per leadership moved, and one per imbalanced broker, for the controller's log. */
  changes: string[];
}

/**
 * The preferred-leader elections the periodic check makes: for every broker whose imbalance is
 * above `percentage` (0–100), each of its partitions it can lead again.
 */
export function planLeaderRebalance(image: MetadataImage, percentage: number): RebalancePlan {
  const live = new Set(liveBrokers(image));
  const over = new Set(
    leaderImbalance(image)
      .filter((b) => b.notLeading / b.preferred > percentage / 100)
      .map((b) => b.broker),
  );
  const records: MetadataRecord[] = [];
  const changes: string[] = [];
  if (over.size === 0) return { records, changes };
  const moved = new Map<number, number>();
  for (const [topic, t] of Object.entries(image.topics)) {
    t.partitions.forEach((p: PartitionState, i) => {
      const preferred = p.replicas[0];
      if (preferred === undefined || !over.has(preferred)) return;
      const next = electPreferred(p, live);
      if (!next) return;
      moved.set(preferred, (moved.get(preferred) ?? 0) + 1);
      changes.push(
        `${topic}-${i}: preferred leader ${preferred} back (auto rebalance), leader ${p.leader} → ${next.leader}, epoch ${next.leaderEpoch}`,
      );
      records.push({ type: "partitionChange", topic, partition: i, state: next });
    });
  }
  // Only brokers getting leaderships back: one still out of the ISRs would repeat its line every check.
  const summary = leaderImbalance(image)
    .filter((b) => moved.has(b.broker))
    .map(
      (b) =>
        `broker ${b.broker} leads ${b.preferred - b.notLeading} of the ${b.preferred} partition(s) it is preferred for (imbalance ${Math.round((100 * b.notLeading) / b.preferred)}% > ${percentage}%): ${moved.get(b.broker)} move back`,
    );
  return { records, changes: [...summary, ...changes] };
}
