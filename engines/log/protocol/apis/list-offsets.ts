/**
 * ListOffsets (key 2), v1–3. Maps a timestamp to an offset per partition: −1 = latest (the high
 * watermark, which is also the last stable offset without transactions), −2 = earliest (the log
 * start offset), otherwise the first offset whose batch has max timestamp ≥ the given one.
 *
 * ListOffsets Request (Version: 1-3) => replica_id INT32 isolation_level INT8 [topics]   (isolation_level v2+)
 *   topics => name STRING [partitions]
 *     partitions => partition_index INT32 timestamp INT64
 * ListOffsets Response (Version: 1-3) => throttle_time_ms INT32 [topics]                  (throttle v2+)
 *   topics => name STRING [partitions]
 *     partitions => partition_index INT32 error_code INT16 timestamp INT64 offset INT64
 */

import type { MessageSchema } from "../schema.ts";

export const listOffsets: MessageSchema = {
  name: "ListOffsets",
  apiKey: 2,
  versions: [1, 5],
  flexibleFrom: null,
  request: [
    { name: "replicaId", type: "int32" },
    { name: "isolationLevel", type: "int8", versions: [2] },
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
                { name: "currentLeaderEpoch", type: "int32", versions: [4], default: -1 },
                { name: "timestamp", type: "int64" },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [2] },
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
                { name: "timestamp", type: "int64" },
                { name: "offset", type: "int64" },
                { name: "leaderEpoch", type: "int32", versions: [4], default: -1 },
              ],
            },
          },
        ],
      },
    },
  ],
};

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; timestamp: number }> }>;
}

export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; errorCode: number; timestamp: number; offset: number }>;
  }>;
}
