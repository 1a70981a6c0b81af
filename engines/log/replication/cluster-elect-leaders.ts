/**
 * ElectLeaders (key 43) in a cluster: forwarded to the active controller (`broker.electLeaders`),
 * which elects against the metadata image (controller/elect-leaders.ts) and commits the leader
 * changes as one record. Answered once that record is in this broker's image too, so a client
 * that asks for Metadata next sees the new leaders; the old leaders have stopped acking at the new
 * leader epoch by the time they apply it (replication/partition-replica.ts).
 */

import type { BrokerContext, Handler } from "../broker-context.ts";
import type { QuorumClient } from "../controller/quorum-client.ts";
import { badElectionType, failAll } from "../handlers/elect-leaders.ts";
import type { ElectLeadersRequest, ElectLeadersResponse } from "../protocol/apis/elect-leaders.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { ApiKey } from "../protocol/registry.ts";
import type { ReplicaManager } from "./replica-manager.ts";

/** How long a forwarded request may take: the client's timeout, within sane bounds. */
const deadline = (timeoutMs: number) => Math.min(30_000, Math.max(1000, timeoutMs));

export function clusterElectLeadersHandler(rm: ReplicaManager, quorum: QuorumClient): [number, Handler] {
  const elect = async (_ctx: BrokerContext, req: ElectLeadersRequest): Promise<ElectLeadersResponse> => {
    const bad = badElectionType(req);
    if (bad) return failAll(req, ErrorCode.INVALID_REQUEST, bad);
    try {
      const r = await quorum.call<{
        topics: ElectLeadersResponse["replicaElectionResults"];
        version: number;
      }>(
        "broker.electLeaders",
        { electionType: req.electionType, topics: req.topicPartitions },
        deadline(req.timeoutMs),
        5000,
      );
      await rm.waitForImage((i) => i.version >= r.version, 5000);
      return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: r.topics };
    } catch (e) {
      return failAll(req, ErrorCode.NOT_CONTROLLER, `no active controller answered: ${(e as Error).message}`);
    }
  };
  return [ApiKey.ElectLeaders, elect as unknown as Handler];
}
