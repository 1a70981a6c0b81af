/**
 * ElectLeaders (key 43) on a single broker (no controller quorum): each partition's only replica
 * is this broker, its preferred replica and its leader, so no election is ever needed —
 * ELECTION_NOT_NEEDED (84) for every partition that exists (left out of the answer when all
 * partitions are asked for, as Kafka does), UNKNOWN_TOPIC_OR_PARTITION (3) for one that does not.
 * The cluster's handler (replication/cluster-elect-leaders.ts) forwards to the active controller.
 */

import type { BrokerContext } from "../broker-context.ts";
import {
  ElectionType,
  type ElectLeadersRequest,
  type ElectLeadersResponse,
} from "../protocol/apis/elect-leaders.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

/** The error for an election type other than 0 or 1, or null when it is one of them. */
export function badElectionType(req: ElectLeadersRequest): string | null {
  return req.electionType === ElectionType.PREFERRED || req.electionType === ElectionType.UNCLEAN
    ? null
    : `election_type ${req.electionType} is unknown: use 0 (preferred) or 1 (unclean)`;
}

/**
 * The whole request refused: the top-level error (v1+) and the same error on every partition
 * asked for, so a v0 client, which has no top-level error code, sees it too (as Kafka answers).
 */
export function failAll(
  req: ElectLeadersRequest,
  errorCode: number,
  errorMessage: string,
): ElectLeadersResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
    })),
  };
}

export function handleElectLeaders(ctx: BrokerContext, req: ElectLeadersRequest): ElectLeadersResponse {
  const bad = badElectionType(req);
  if (bad) return failAll(req, ErrorCode.INVALID_REQUEST, bad);
  if (req.topicPartitions === null)
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      replicaElectionResults: ctx.logs
        .topicNames()
        .sort()
        .map((topic) => ({ topic, partitionResult: [] })),
    };
  const leads =
    req.electionType === ElectionType.PREFERRED
      ? `broker ${ctx.nodeId}, the only replica, already leads`
      : `broker ${ctx.nodeId} leads: an unclean election is only for a partition without a leader`;
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    replicaElectionResults: req.topicPartitions.map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) =>
        ctx.logs.partition(t.topic, partitionId)
          ? { partitionId, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: leads }
          : {
              partitionId,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: ctx.logs.topic(t.topic)
                ? `partition ${partitionId} of topic ${t.topic} does not exist`
                : `topic ${t.topic} does not exist`,
            },
      ),
    })),
  };
}
