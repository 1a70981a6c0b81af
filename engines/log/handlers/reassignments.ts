/**
 * AlterPartitionReassignments and ListPartitionReassignments on a single broker (no controller
 * quorum): every partition lives on this broker alone, so the only valid assignment is the one
 * it has. Asking for it again succeeds and changes nothing; any other replica list is
 * INVALID_REPLICA_ASSIGNMENT (39), a cancel NO_REASSIGNMENT_IN_PROGRESS (85), and nothing is ever
 * in progress. The cluster's handlers (replication/cluster-reassignments.ts) do the real work.
 */

import type { BrokerContext } from "../broker-context.ts";
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsResponse,
} from "../protocol/apis/partition-reassignments.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

export function handleAlterPartitionReassignments(
  ctx: BrokerContext,
  req: AlterPartitionReassignmentsRequest,
): AlterPartitionReassignmentsResponse {
  const me = ctx.nodeId;
  const responses = req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const answer = (errorCode: number, errorMessage: string | null) => ({
        partitionIndex: p.partitionIndex,
        errorCode,
        errorMessage,
      });
      if (!ctx.logs.partition(t.name, p.partitionIndex))
        return answer(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `partition ${p.partitionIndex} of topic ${t.name} does not exist`,
        );
      if (p.replicas === null)
        return answer(
          ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
          "no reassignment is in progress for this partition",
        );
      if (p.replicas.length !== 1 || p.replicas[0] !== me)
        return answer(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `a single broker (node ${me}) can only hold [${me}]; start a cluster to move partitions`,
        );
      return answer(0, null);
    }),
  }));
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses };
}

export function handleListPartitionReassignments(): ListPartitionReassignmentsResponse {
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] };
}
