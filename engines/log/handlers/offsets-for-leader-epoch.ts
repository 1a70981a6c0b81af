/**
 * OffsetsForLeaderEpoch on a single broker: it has led every epoch of its logs, so the asked
 * epoch ends at the LEO when it is the current one or later, and is unknown (−1) when older than
 * anything this broker stamped. In a cluster the replica manager answers from its epoch cache.
 */

import type { BrokerContext } from "../broker-context.ts";
import type {
  OffsetsForLeaderEpochRequest,
  OffsetsForLeaderEpochResponse,
} from "../protocol/apis/offsets-for-leader-epoch.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

export function handleOffsetsForLeaderEpoch(
  ctx: BrokerContext,
  req: OffsetsForLeaderEpochRequest,
): OffsetsForLeaderEpochResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const log = ctx.logs.partition(t.topic, p.partition);
        if (!log)
          return {
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            partition: p.partition,
            leaderEpoch: -1,
            endOffset: -1,
          };
        const known = p.leaderEpoch >= log.leaderEpoch;
        return {
          errorCode: 0,
          partition: p.partition,
          leaderEpoch: known ? log.leaderEpoch : -1,
          endOffset: known ? log.logEndOffset : -1,
        };
      }),
    })),
  };
}
