/**
 * Group APIs: FindCoordinator answers with this broker (every group is coordinated here); the
 * rest (membership, offsets, DescribeGroups/ListGroups/DeleteGroups) delegate to the group
 * coordinator.
 */

import type { BrokerContext, ConnectionInfo } from "../broker-context.ts";
import type { DeleteGroupsRequest, DeleteGroupsResponse } from "../protocol/apis/delete-groups.ts";
import type { DescribeGroupsRequest, DescribeGroupsResponse } from "../protocol/apis/describe-groups.ts";
import type {
  Coordinator,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
} from "../protocol/apis/find-coordinator.ts";
import type { HeartbeatRequest, HeartbeatResponse } from "../protocol/apis/heartbeat.ts";
import type { JoinGroupRequest, JoinGroupResponse } from "../protocol/apis/join-group.ts";
import type { LeaveGroupRequest, LeaveGroupResponse } from "../protocol/apis/leave-group.ts";
import type { ListGroupsResponse } from "../protocol/apis/list-groups.ts";
import type { OffsetCommitRequest, OffsetCommitResponse } from "../protocol/apis/offset-commit.ts";
import type { OffsetFetchRequest, OffsetFetchResponse } from "../protocol/apis/offset-fetch.ts";
import type { SyncGroupRequest, SyncGroupResponse } from "../protocol/apis/sync-group.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { RequestHeader } from "../protocol/header.ts";

export function handleFindCoordinator(
  ctx: BrokerContext,
  req: FindCoordinatorRequest,
  header: RequestHeader,
): FindCoordinatorResponse {
  // key_type 1 (transactions) is not supported by this broker.
  const errorCode = req.keyType !== 0 ? ErrorCode.COORDINATOR_NOT_AVAILABLE : 0;
  const answer = (key: string): Coordinator => ({
    key,
    nodeId: errorCode ? -1 : ctx.nodeId,
    host: errorCode ? "" : ctx.advertisedHost,
    port: errorCode ? -1 : ctx.advertisedPort,
    errorCode,
    errorMessage: null,
  });
  // v4+ batches keys (one answer each); before, one key and the answer at the top level.
  const coordinators = header.apiVersion >= 4 ? req.coordinatorKeys.map(answer) : [];
  return { throttleTimeMs: 0, ...answer(req.key), coordinators };
}

export function handleJoinGroup(
  ctx: BrokerContext,
  req: JoinGroupRequest,
  header: RequestHeader,
  conn: ConnectionInfo,
): JoinGroupResponse | Promise<JoinGroupResponse> {
  return ctx.groups.join(req, header.apiVersion, header.clientId ?? "", conn.clientHost);
}

export function handleDescribeGroups(ctx: BrokerContext, req: DescribeGroupsRequest): DescribeGroupsResponse {
  return { throttleTimeMs: 0, groups: req.groups.map((g) => ctx.groups.describeGroup(g)) };
}

export function handleListGroups(ctx: BrokerContext): ListGroupsResponse {
  return { throttleTimeMs: 0, errorCode: 0, groups: ctx.groups.listGroups() };
}

export function handleDeleteGroups(ctx: BrokerContext, req: DeleteGroupsRequest): DeleteGroupsResponse {
  return { throttleTimeMs: 0, results: ctx.groups.deleteGroups(req.groupsNames) };
}

export function handleSyncGroup(
  ctx: BrokerContext,
  req: SyncGroupRequest,
): SyncGroupResponse | Promise<SyncGroupResponse> {
  return ctx.groups.sync(req);
}

export function handleHeartbeat(ctx: BrokerContext, req: HeartbeatRequest): HeartbeatResponse {
  return ctx.groups.heartbeat(req.groupId, req.generationId, req.memberId);
}

export function handleLeaveGroup(
  ctx: BrokerContext,
  req: LeaveGroupRequest,
  header: RequestHeader,
): LeaveGroupResponse {
  const ids = header.apiVersion >= 3 ? req.members.map((m) => m.memberId) : [req.memberId];
  const r = ctx.groups.leave(req.groupId, ids);
  // Before v3 there is no per-member list: the single member's error is the top-level error.
  if (header.apiVersion < 3) return { ...r, errorCode: r.members[0]?.errorCode ?? r.errorCode, members: [] };
  return r;
}

export function handleOffsetCommit(ctx: BrokerContext, req: OffsetCommitRequest): OffsetCommitResponse {
  return ctx.groups.commitOffsets(req);
}

export function handleOffsetFetch(
  ctx: BrokerContext,
  req: OffsetFetchRequest,
  header: RequestHeader,
): OffsetFetchResponse {
  return ctx.groups.fetchOffsets(req, header.apiVersion);
}
