/**
 * The table of implemented APIs: key → schema with its version range. ApiVersions advertises
 * exactly this table, so a client can never pick a version the broker cannot decode.
 */

import { alterConfigs, incrementalAlterConfigs } from "./apis/alter-configs.ts";
import { apiVersions } from "./apis/api-versions.ts";
import { createTopics } from "./apis/create-topics.ts";
import { deleteGroups } from "./apis/delete-groups.ts";
import { deleteTopics } from "./apis/delete-topics.ts";
import { describeConfigs } from "./apis/describe-configs.ts";
import { describeGroups } from "./apis/describe-groups.ts";
import { electLeaders } from "./apis/elect-leaders.ts";
import { fetch } from "./apis/fetch.ts";
import { findCoordinator } from "./apis/find-coordinator.ts";
import { heartbeat } from "./apis/heartbeat.ts";
import { initProducerId } from "./apis/init-producer-id.ts";
import { joinGroup } from "./apis/join-group.ts";
import { leaveGroup } from "./apis/leave-group.ts";
import { listGroups } from "./apis/list-groups.ts";
import { listOffsets } from "./apis/list-offsets.ts";
import { metadata } from "./apis/metadata.ts";
import { offsetCommit } from "./apis/offset-commit.ts";
import { offsetFetch } from "./apis/offset-fetch.ts";
import { offsetsForLeaderEpoch } from "./apis/offsets-for-leader-epoch.ts";
import { alterPartitionReassignments, listPartitionReassignments } from "./apis/partition-reassignments.ts";
import { produce } from "./apis/produce.ts";
import { syncGroup } from "./apis/sync-group.ts";
import type { MessageSchema } from "./schema.ts";

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  OffsetsForLeaderEpoch: 23,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
} as const;

export const schemas: readonly MessageSchema[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersions,
  createTopics,
  deleteTopics,
  initProducerId,
  offsetsForLeaderEpoch,
  describeConfigs,
  alterConfigs,
  deleteGroups,
  electLeaders,
  incrementalAlterConfigs,
  alterPartitionReassignments,
  listPartitionReassignments,
];

const byKey = new Map<number, MessageSchema>(schemas.map((s) => [s.apiKey, s]));

/** The schema for an API key, or undefined when the key is not implemented. */
export function schemaFor(apiKey: number): MessageSchema | undefined {
  return byKey.get(apiKey);
}

/** True when `version` of `apiKey` is implemented. */
export function isSupported(apiKey: number, version: number): boolean {
  const s = byKey.get(apiKey);
  return s !== undefined && version >= s.versions[0] && version <= s.versions[1];
}

/** The ApiVersions list: one entry per implemented key, sorted by key. */
export function advertisedVersions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return [...schemas]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((s) => ({ apiKey: s.apiKey, minVersion: s.versions[0], maxVersion: s.versions[1] }));
}
