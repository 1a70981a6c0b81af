/**
 * OffsetCommit (key 8), v2–5. Stores a group's committed offsets (the next offset to read).
 * Generation −1 with an empty member id is a "simple" commit outside group management.
 *
 * OffsetCommit Request (Version: 2-4) => group_id STRING generation_id INT32 member_id STRING
 *     retention_time_ms INT64 [topics]
 * OffsetCommit Request (Version: 5) => group_id STRING generation_id INT32 member_id STRING [topics]
 *   topics => name STRING [partitions]
 *     partitions => partition_index INT32 committed_offset INT64 committed_metadata NULLABLE_STRING
 * OffsetCommit Response (Version: 2) => [topics]
 * OffsetCommit Response (Version: 3-5) => throttle_time_ms INT32 [topics]
 *   topics => name STRING [partitions]
 *     partitions => partition_index INT32 error_code INT16
 */

import type { MessageSchema } from "../schema.ts";

export const offsetCommit: MessageSchema = {
  name: "OffsetCommit",
  apiKey: 8,
  versions: [2, 8],
  flexibleFrom: 8,
  request: [
    { name: "groupId", type: "string" },
    { name: "generationId", type: "int32" },
    { name: "memberId", type: "string" },
    { name: "groupInstanceId", type: "string", versions: [7], nullable: [7], default: null },
    { name: "retentionTimeMs", type: "int64", versions: [2, 4], default: -1 },
    {
      name: "topics",
      type: {
        array: [
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: {
              array: [
                { name: "partitionIndex", type: "int32" },
                { name: "committedOffset", type: "int64" },
                { name: "committedLeaderEpoch", type: "int32", versions: [6], default: -1 },
                { name: "committedMetadata", type: "string", nullable: [0], default: null },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [3] },
    {
      name: "topics",
      type: {
        array: [
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: {
              array: [
                { name: "partitionIndex", type: "int32" },
                { name: "errorCode", type: "int16" },
              ],
            },
          },
        ],
      },
    },
  ],
};

export interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  retentionTimeMs: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; committedOffset: number; committedMetadata: string | null }>;
  }>;
}

export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}
