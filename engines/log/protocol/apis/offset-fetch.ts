/**
 * OffsetFetch (key 9), v1–4. Reads a group's committed offsets; −1 with no error means "nothing
 * committed" and the client falls back to its reset policy. A null topic list (v2+) means all.
 *
 * OffsetFetch Request (Version: 1-4) => group_id STRING [topics]          (topics nullable v2+)
 *   topics => name STRING [partition_indexes INT32]
 * OffsetFetch Response (Version: 4) => throttle_time_ms INT32 [topics] error_code INT16
 *   topics => name STRING [partitions]
 *     partitions => partition_index INT32 committed_offset INT64 metadata NULLABLE_STRING error_code INT16
 *   (throttle_time_ms v3+, top-level error_code v2+)
 */

import type { Field, MessageSchema } from "../schema.ts";

const requestTopic: Field[] = [
  { name: "name", type: "string" },
  { name: "partitionIndexes", type: { array: "int32" } },
];

const responseTopic: Field[] = [
  { name: "name", type: "string" },
  {
    name: "partitions",
    type: {
      array: [
        { name: "partitionIndex", type: "int32" },
        { name: "committedOffset", type: "int64" },
        { name: "committedLeaderEpoch", type: "int32", versions: [5], default: -1 },
        { name: "metadata", type: "string", nullable: [0], default: null },
        { name: "errorCode", type: "int16" },
      ],
    },
  },
];

export const offsetFetch: MessageSchema = {
  name: "OffsetFetch",
  apiKey: 9,
  versions: [1, 8],
  flexibleFrom: 6,
  request: [
    { name: "groupId", type: "string", versions: [0, 7] },
    { name: "topics", versions: [0, 7], nullable: [2], type: { array: requestTopic } },
    {
      name: "groups",
      versions: [8],
      type: {
        array: [
          { name: "groupId", type: "string" },
          { name: "topics", nullable: [8], type: { array: requestTopic } },
        ],
      },
    },
    { name: "requireStable", type: "bool", versions: [7] },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [3] },
    { name: "topics", versions: [0, 7], type: { array: responseTopic } },
    { name: "errorCode", type: "int16", versions: [2, 7] },
    {
      name: "groups",
      versions: [8],
      type: {
        array: [
          { name: "groupId", type: "string" },
          { name: "topics", type: { array: responseTopic } },
          { name: "errorCode", type: "int16" },
        ],
      },
    },
  ],
};

export type OffsetFetchTopics = Array<{ name: string; partitionIndexes: number[] }> | null;

export interface OffsetFetchRequest {
  /** v0–7: one group. */
  groupId: string;
  topics: OffsetFetchTopics;
  /** v8+: several groups. */
  groups: Array<{ groupId: string; topics: OffsetFetchTopics }>;
  requireStable: boolean;
}

export interface OffsetFetchPartition {
  partitionIndex: number;
  committedOffset: number;
  metadata: string | null;
  errorCode: number;
}

export type OffsetFetchTopicsResponse = Array<{ name: string; partitions: OffsetFetchPartition[] }>;

export interface OffsetFetchResponse {
  throttleTimeMs: number;
  topics: OffsetFetchTopicsResponse;
  errorCode: number;
  groups?: Array<{ groupId: string; topics: OffsetFetchTopicsResponse; errorCode: number }>;
}
