/**
 * Fetch (key 1), v4–11: the versions that carry RecordBatch v2. Long poll: the broker holds the
 * request until min_bytes are available or max_wait_ms passes. Records are whole stored batches,
 * which may start before fetch_offset (clients skip the earlier records). No fetch sessions:
 * session_id is always answered as 0.
 *
 * Fetch Request (Version: 11) => replica_id INT32 max_wait_ms INT32 min_bytes INT32 max_bytes INT32
 *     isolation_level INT8 session_id INT32 session_epoch INT32 [topics] [forgotten_topics_data] rack_id STRING
 *   topics => topic STRING [partitions]
 *     partitions => partition INT32 current_leader_epoch INT32 fetch_offset INT64 log_start_offset INT64
 *                   partition_max_bytes INT32
 *   forgotten_topics_data => topic STRING [partitions INT32]
 *   (session_id, session_epoch, forgotten_topics_data v7+; current_leader_epoch v9+; log_start_offset v5+;
 *    rack_id v11+)
 * Fetch Response (Version: 11) => throttle_time_ms INT32 error_code INT16 session_id INT32 [responses]
 *   responses => topic STRING [partitions]
 *     partitions => partition_index INT32 error_code INT16 high_watermark INT64 last_stable_offset INT64
 *                   log_start_offset INT64 [aborted_transactions] preferred_read_replica INT32 records RECORDS
 *       aborted_transactions => producer_id INT64 first_offset INT64
 *   (error_code, session_id v7+; log_start_offset v5+; preferred_read_replica v11+)
 */

import type { MessageSchema } from "../schema.ts";

export const fetch: MessageSchema = {
  name: "Fetch",
  apiKey: 1,
  versions: [4, 12],
  flexibleFrom: 12,
  request: [
    { name: "replicaId", type: "int32" },
    { name: "maxWaitMs", type: "int32" },
    { name: "minBytes", type: "int32" },
    { name: "maxBytes", type: "int32" },
    { name: "isolationLevel", type: "int8" },
    { name: "sessionId", type: "int32", versions: [7] },
    { name: "sessionEpoch", type: "int32", versions: [7], default: -1 },
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
                { name: "currentLeaderEpoch", type: "int32", versions: [9], default: -1 },
                { name: "fetchOffset", type: "int64" },
                { name: "lastFetchedEpoch", type: "int32", versions: [12], default: -1 },
                { name: "logStartOffset", type: "int64", versions: [5], default: -1 },
                { name: "partitionMaxBytes", type: "int32" },
              ],
            },
          },
        ],
      },
    },
    {
      name: "forgottenTopicsData",
      versions: [7],
      type: {
        array: [
          { name: "topic", type: "string" },
          { name: "partitions", type: { array: "int32" } },
        ],
      },
    },
    { name: "rackId", type: "string", versions: [11] },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32" },
    { name: "errorCode", type: "int16", versions: [7] },
    { name: "sessionId", type: "int32", versions: [7] },
    {
      name: "responses",
      type: {
        array: [
          { name: "topic", type: "string" },
          {
            name: "partitions",
            type: {
              array: [
                { name: "partitionIndex", type: "int32" },
                { name: "errorCode", type: "int16" },
                { name: "highWatermark", type: "int64" },
                { name: "lastStableOffset", type: "int64" },
                { name: "logStartOffset", type: "int64", versions: [5] },
                {
                  name: "abortedTransactions",
                  nullable: [4],
                  type: {
                    array: [
                      { name: "producerId", type: "int64" },
                      { name: "firstOffset", type: "int64" },
                    ],
                  },
                },
                { name: "preferredReadReplica", type: "int32", versions: [11], default: -1 },
                { name: "records", type: "records" },
              ],
            },
          },
        ],
      },
    },
  ],
};

export interface FetchPartitionRequest {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  logStartOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: Array<{ topic: string; partitions: FetchPartitionRequest[] }>;
  forgottenTopicsData: Array<{ topic: string; partitions: number[] }>;
  rackId: string;
}

export interface FetchPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: Array<{ producerId: number; firstOffset: number }> | null;
  preferredReadReplica: number;
  records: Buffer | null;
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: Array<{ topic: string; partitions: FetchPartitionResponse[] }>;
}
