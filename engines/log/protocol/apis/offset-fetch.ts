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

import type { MessageSchema } from "../schema.ts";

export const offsetFetch: MessageSchema = {
  name: "OffsetFetch",
  apiKey: 9,
  versions: [1, 4],
  flexibleFrom: null,
  request: [
    { name: "groupId", type: "string" },
    {
      name: "topics",
      nullable: [2],
      type: {
        array: [
          { name: "name", type: "string" },
          { name: "partitionIndexes", type: { array: "int32" } },
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
                { name: "committedOffset", type: "int64" },
                { name: "metadata", type: "string", nullable: [0], default: null },
                { name: "errorCode", type: "int16" },
              ],
            },
          },
        ],
      },
    },
    { name: "errorCode", type: "int16", versions: [2] },
  ],
};

export interface OffsetFetchRequest {
  groupId: string;
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
}

export interface OffsetFetchPartition {
  partitionIndex: number;
  committedOffset: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: OffsetFetchPartition[] }>;
  errorCode: number;
}
