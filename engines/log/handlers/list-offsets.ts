/**
 * ListOffsets: −1 = latest (HW; equal to the LSO without transactions), −2 = earliest (log start
 * offset), otherwise the first offset with a timestamp at or after the given one.
 */

import type { BrokerContext } from "../broker-context.ts";
import type { ListOffsetsRequest, ListOffsetsResponse } from "../protocol/apis/list-offsets.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

export function handleListOffsets(ctx: BrokerContext, req: ListOffsetsRequest): ListOffsetsResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const log = ctx.logs.partition(t.name, p.partitionIndex);
        if (!log) {
          return {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            timestamp: -1,
            offset: -1,
          };
        }
        let offset: number;
        if (p.timestamp === -1) offset = log.highWatermark;
        else if (p.timestamp === -2) offset = log.logStartOffset;
        else offset = Math.min(log.offsetForTimestamp(p.timestamp), log.highWatermark);
        return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1, offset };
      }),
    })),
  };
}
