/**
 * OffsetsForLeaderEpoch (key 23), v0–3 (KIP-101, KIP-279): for each partition, the largest leader
 * epoch ≤ the asked one that the leader knows, and that epoch's end offset. A follower uses it
 * to find where its log diverges from the leader's and truncates there before fetching.
 *
 * OffsetForLeaderEpoch Request (Version: 3) => replica_id INT32 [topics]
 *   topics => topic STRING [partitions]
 *     partitions => partition INT32 current_leader_epoch INT32 leader_epoch INT32
 *   (current_leader_epoch v2+, replica_id v3+)
 * OffsetForLeaderEpoch Response (Version: 3) => throttle_time_ms INT32 [topics]
 *   topics => topic STRING [partitions]
 *     partitions => error_code INT16 partition INT32 leader_epoch INT32 end_offset INT64
 *   (throttle_time_ms v2+, leader_epoch v1+)
 */

import type { MessageSchema } from "../schema.ts";

export const offsetsForLeaderEpoch: MessageSchema = {
  name: "OffsetsForLeaderEpoch",
  apiKey: 23,
  versions: [0, 3],
  flexibleFrom: null,
  request: [
    { name: "replicaId", type: "int32", versions: [3], default: -2 },
    {
      name: "topics",
      type: {
        array: [
          { name: "topic", type: "string" },
          {
            name: "partitions",
            type: {
              array: [
                { name: "partition", type: "int32" },
                { name: "currentLeaderEpoch", type: "int32", versions: [2], default: -1 },
                { name: "leaderEpoch", type: "int32" },
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
          { name: "topic", type: "string" },
          {
            name: "partitions",
            type: {
              array: [
                { name: "errorCode", type: "int16" },
                { name: "partition", type: "int32" },
                { name: "leaderEpoch", type: "int32", versions: [1], default: -1 },
                { name: "endOffset", type: "int64" },
              ],
            },
          },
        ],
      },
    },
  ],
};

export interface OffsetsForLeaderEpochRequest {
  replicaId: number;
  topics: Array<{
    topic: string;
    partitions: Array<{ partition: number; currentLeaderEpoch: number; leaderEpoch: number }>;
  }>;
}

export interface OffsetsForLeaderEpochResponse {
  throttleTimeMs: number;
  topics: Array<{
    topic: string;
    partitions: Array<{ errorCode: number; partition: number; leaderEpoch: number; endOffset: number }>;
  }>;
}
