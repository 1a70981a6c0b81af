/**
 * An ElectLeaders request (key 43) against the metadata image, as KRaft's controller answers it:
 * each partition's result and the leader changes to commit (one `partitionChange` per elected
 * partition, through the same pure rules as every other leader change, election.ts).
 *  - preferred (0): the first replica of the assignment leads if it is live and in the ISR;
 *    ELECTION_NOT_NEEDED (84) when it already leads, PREFERRED_LEADER_NOT_AVAILABLE (80) when it
 *    cannot;
 *  - unclean (1): an offline partition gets a live ISR member, else the first live replica with an
 *    ISR of itself (committed data can be lost); ELECTION_NOT_NEEDED when it has a leader,
 *    ELIGIBLE_LEADERS_NOT_AVAILABLE (83) when no replica is live. It is asked for explicitly, so
 *    `unclean.leader.election.enable` does not gate it (KIP-460);
 *  - UNKNOWN_TOPIC_OR_PARTITION (3) for a topic or partition that does not exist.
 * `topics` null means every partition of every topic; the answer then leaves out the partitions
 * whose election was not needed (Kafka does the same). A partition named twice is answered twice,
 * the second time against the first's outcome.
 */

import { ElectionType } from "../protocol/apis/elect-leaders.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { electPreferred, electUnclean } from "./election.ts";
import {
  liveBrokers,
  type MetadataImage,
  type MetadataRecord,
  type PartitionState,
} from "./metadata-image.ts";

export interface ElectionOutcome {
  topic: string;
  partitionResult: Array<{ partitionId: number; errorCode: number; errorMessage: string | null }>;
}

export type ElectionAnswer =
  | { ok: true; state: PartitionState }
  | { ok: false; errorCode: number; message: string };

/** One partition's election of the given type against its state and the live brokers. */
export function electOne(p: PartitionState, type: number, live: ReadonlySet<number>): ElectionAnswer {
  if (type === ElectionType.PREFERRED) {
    const preferred = p.replicas[0];
    if (p.leader === preferred)
      return {
        ok: false,
        errorCode: ErrorCode.ELECTION_NOT_NEEDED,
        message: `the preferred replica ${preferred} already leads`,
      };
    const next = electPreferred(p, live);
    if (next) return { ok: true, state: next };
    const why =
      preferred === undefined
        ? "the partition has no replicas"
        : !live.has(preferred)
          ? `the preferred replica ${preferred} is not live`
          : `the preferred replica ${preferred} is not in the ISR [${p.isr}]`;
    return { ok: false, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, message: why };
  }
  if (p.leader !== -1)
    return {
      ok: false,
      errorCode: ErrorCode.ELECTION_NOT_NEEDED,
      message: `broker ${p.leader} leads: an unclean election is only for a partition without a leader`,
    };
  const next = electUnclean(p, live);
  if (next) return { ok: true, state: next };
  return {
    ok: false,
    errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
    message: `no replica of [${p.replicas}] is live`,
  };
}

export function planElections(
  image: MetadataImage,
  type: number,
  topics: ReadonlyArray<{ topic: string; partitions: number[] }> | null,
): { results: ElectionOutcome[]; records: MetadataRecord[]; changes: string[] } {
  const live = new Set(liveBrokers(image));
  const all = topics === null;
  const asked =
    topics ??
    Object.keys(image.topics)
      .sort()
      .map((topic) => ({ topic, partitions: image.topics[topic]!.partitions.map((_, i) => i) }));
  const pending = new Map<string, PartitionState>();
  const changes: string[] = [];
  const kind = type === ElectionType.PREFERRED ? "preferred" : "unclean";
  const results = asked.map((t) => {
    const partitionResult: ElectionOutcome["partitionResult"] = [];
    for (const i of t.partitions) {
      const answer = (errorCode: number, errorMessage: string | null) =>
        partitionResult.push({ partitionId: i, errorCode, errorMessage });
      const key = `${t.topic}\u0000${i}`;
      const p = pending.get(key) ?? image.topics[t.topic]?.partitions[i];
      if (!p) {
        const what = image.topics[t.topic] ? `partition ${i} of` : "";
        answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${what} topic ${t.topic} does not exist`.trim());
        continue;
      }
      const r = electOne(p, type, live);
      if (!r.ok) {
        if (!(all && r.errorCode === ErrorCode.ELECTION_NOT_NEEDED)) answer(r.errorCode, r.message);
        continue;
      }
      pending.set(key, r.state);
      changes.push(
        `${t.topic}-${i}: ${kind} election (ElectLeaders), leader ${p.leader} → ${r.state.leader}, isr [${r.state.isr}], epoch ${r.state.leaderEpoch}`,
      );
      answer(0, null);
    }
    return { topic: t.topic, partitionResult };
  });
  const records: MetadataRecord[] = [...pending].map(([key, state]) => {
    const i = key.lastIndexOf("\u0000");
    return { type: "partitionChange", topic: key.slice(0, i), partition: Number(key.slice(i + 1)), state };
  });
  return { results, records, changes };
}
