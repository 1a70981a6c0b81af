/**
 * AlterPartitionReassignments and ListPartitionReassignments in a cluster (KIP-455). Both go to
 * the active controller (`broker.alterReassignments` / `broker.listReassignments`), which keeps
 * reassignments in the metadata image (controller/reassignment.ts). An alter answers once the
 * reassignment has started — committed, and in this broker's image — not once it has finished, as
 * Kafka's does; a client polls ListPartitionReassignments until its partitions are gone from it.
 */

import type { BrokerContext, Handler } from "../broker-context.ts";
import type { QuorumClient } from "../controller/quorum-client.ts";
import type { ReassignOutcome } from "../controller/reassignment.ts";
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from "../protocol/apis/partition-reassignments.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { ApiKey } from "../protocol/registry.ts";
import type { ReplicaManager } from "./replica-manager.ts";

/** How long a forwarded request may take: the client's timeout, within sane bounds. */
const deadline = (timeoutMs: number) => Math.min(30_000, Math.max(1000, timeoutMs));

export function clusterReassignmentHandlers(
  rm: ReplicaManager,
  quorum: QuorumClient,
): Array<[number, Handler]> {
  const alter = async (
    _ctx: BrokerContext,
    req: AlterPartitionReassignmentsRequest,
  ): Promise<AlterPartitionReassignmentsResponse> => {
    try {
      const r = await quorum.call<{ topics: ReassignOutcome[]; version: number }>(
        "broker.alterReassignments",
        { topics: req.topics },
        deadline(req.timeoutMs),
        5000,
      );
      await rm.waitForImage((i) => i.version >= r.version, 5000);
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses: r.topics };
    } catch (e) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NOT_CONTROLLER,
        errorMessage: `no active controller answered: ${(e as Error).message}`,
        responses: [],
      };
    }
  };

  const list = async (
    _ctx: BrokerContext,
    req: ListPartitionReassignmentsRequest,
  ): Promise<ListPartitionReassignmentsResponse> => {
    try {
      const r = await quorum.call<{ topics: ListPartitionReassignmentsResponse["topics"] }>(
        "broker.listReassignments",
        { topics: req.topics },
        deadline(req.timeoutMs),
        5000,
      );
      return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: r.topics };
    } catch (e) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NOT_CONTROLLER,
        errorMessage: `no active controller answered: ${(e as Error).message}`,
        topics: [],
      };
    }
  };

  const h = <T>(f: (ctx: BrokerContext, req: T) => unknown): Handler => f as unknown as Handler;
  return [
    [ApiKey.AlterPartitionReassignments, h(alter)],
    [ApiKey.ListPartitionReassignments, h(list)],
  ];
}
