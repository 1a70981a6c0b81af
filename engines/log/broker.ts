/**
 * Request dispatch: decoded request → handler → encoded response. Keeps the table of handlers
 * by API key; everything protocol-specific about framing and headers lives in protocol/, and
 * everything about sockets in server.ts.
 */

import type { BrokerContext, Handler, HandlerResult } from "./broker-context.ts";
import { handleApiVersions } from "./handlers/api-versions.ts";
import { handleAlterConfigs, handleDescribeConfigs } from "./handlers/configs.ts";
import { handleElectLeaders } from "./handlers/elect-leaders.ts";
import { handleFetch } from "./handlers/fetch.ts";
import {
  handleDeleteGroups,
  handleDescribeGroups,
  handleFindCoordinator,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleOffsetCommit,
  handleOffsetFetch,
  handleSyncGroup,
} from "./handlers/groups.ts";
import { handleInitProducerId } from "./handlers/init-producer-id.ts";
import { handleListOffsets } from "./handlers/list-offsets.ts";
import { handleMetadata } from "./handlers/metadata.ts";
import { handleOffsetsForLeaderEpoch } from "./handlers/offsets-for-leader-epoch.ts";
import { handleProduce } from "./handlers/produce.ts";
import {
  handleAlterPartitionReassignments,
  handleListPartitionReassignments,
} from "./handlers/reassignments.ts";
import { handleCreateTopics, handleDeleteTopics } from "./handlers/topics.ts";
import { ApiKey } from "./protocol/registry.ts";

// Each handler takes its own typed request; the codec guarantees the shape for the version.
const h = <T>(
  f: (ctx: BrokerContext, req: T, header: Parameters<Handler>[2], conn: Parameters<Handler>[3]) => unknown,
): Handler => f as unknown as Handler;

export const handlers: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [ApiKey.ApiVersions, h(handleApiVersions)],
  [ApiKey.Metadata, h(handleMetadata)],
  [ApiKey.Produce, h(handleProduce)],
  [ApiKey.Fetch, h(handleFetch)],
  [ApiKey.ListOffsets, h(handleListOffsets)],
  [ApiKey.FindCoordinator, h(handleFindCoordinator)],
  [ApiKey.JoinGroup, h(handleJoinGroup)],
  [ApiKey.SyncGroup, h(handleSyncGroup)],
  [ApiKey.Heartbeat, h(handleHeartbeat)],
  [ApiKey.LeaveGroup, h(handleLeaveGroup)],
  [ApiKey.DescribeGroups, h(handleDescribeGroups)],
  [ApiKey.DeleteGroups, h(handleDeleteGroups)],
  [ApiKey.ListGroups, h(handleListGroups)],
  [ApiKey.OffsetCommit, h(handleOffsetCommit)],
  [ApiKey.OffsetFetch, h(handleOffsetFetch)],
  [ApiKey.CreateTopics, h(handleCreateTopics)],
  [ApiKey.DeleteTopics, h(handleDeleteTopics)],
  [ApiKey.InitProducerId, h(handleInitProducerId)],
  [ApiKey.OffsetsForLeaderEpoch, h(handleOffsetsForLeaderEpoch)],
  [ApiKey.DescribeConfigs, h(handleDescribeConfigs)],
  [ApiKey.AlterConfigs, h(handleAlterConfigs)],
  [ApiKey.ElectLeaders, h(handleElectLeaders)],
  [ApiKey.IncrementalAlterConfigs, h(handleAlterConfigs)],
  [ApiKey.AlterPartitionReassignments, h(handleAlterPartitionReassignments)],
  [ApiKey.ListPartitionReassignments, h(handleListPartitionReassignments)],
]);

export function dispatch(
  ctx: BrokerContext,
  body: Record<string, unknown>,
  header: Parameters<Handler>[2],
  conn: Parameters<Handler>[3],
): HandlerResult {
  const handler = ctx.clusterHandlers?.get(header.apiKey) ?? handlers.get(header.apiKey);
  if (!handler) throw new Error(`no handler for api key ${header.apiKey}`);
  return handler(ctx, body, header, conn);
}
