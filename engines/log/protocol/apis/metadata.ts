/**
 * Metadata (key 3), v0–6. Brokers (advertised host:port), the controller, and per topic the
 * partitions with their leader and replicas. A null topic list (v1+) means all topics; in v0 an
 * empty list means all topics. From v4 the client says whether a missing topic may be auto-created.
 *
 * Metadata Request (Version: 0-3) => [topics]
 * Metadata Request (Version: 4-6) => [topics] allow_auto_topic_creation BOOLEAN
 *   topics => name STRING                         (array nullable from v1)
 * Metadata Response (Version: 6) => throttle_time_ms INT32 [brokers] cluster_id NULLABLE_STRING
 *                                   controller_id INT32 [topics]
 *   brokers => node_id INT32 host STRING port INT32 rack NULLABLE_STRING           (rack v1+)
 *   topics => error_code INT16 name STRING is_internal BOOLEAN [partitions]        (is_internal v1+)
 *     partitions => error_code INT16 partition_index INT32 leader_id INT32 [replica_nodes INT32]
 *                   [isr_nodes INT32] [offline_replicas INT32]                    (offline v5+)
 *   throttle_time_ms v3+, cluster_id v2+, controller_id v1+
 */

import type { MessageSchema } from "../schema.ts";

/** authorized_operations when the client did not ask for them (Kafka's INT32 min). */
const UNKNOWN_OPERATIONS = -2147483648;

export const metadata: MessageSchema = {
  name: "Metadata",
  apiKey: 3,
  versions: [0, 9],
  flexibleFrom: 9,
  request: [
    { name: "topics", type: { array: [{ name: "name", type: "string" }] }, nullable: [1] },
    { name: "allowAutoTopicCreation", type: "bool", versions: [4], default: true },
    { name: "includeClusterAuthorizedOperations", type: "bool", versions: [8] },
    { name: "includeTopicAuthorizedOperations", type: "bool", versions: [8] },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [3] },
    {
      name: "brokers",
      type: {
        array: [
          { name: "nodeId", type: "int32" },
          { name: "host", type: "string" },
          { name: "port", type: "int32" },
          { name: "rack", type: "string", versions: [1], nullable: [1] },
        ],
      },
    },
    { name: "clusterId", type: "string", versions: [2], nullable: [2] },
    { name: "controllerId", type: "int32", versions: [1] },
    {
      name: "topics",
      type: {
        array: [
          { name: "errorCode", type: "int16" },
          { name: "name", type: "string" },
          { name: "isInternal", type: "bool", versions: [1] },
          {
            name: "partitions",
            type: {
              array: [
                { name: "errorCode", type: "int16" },
                { name: "partitionIndex", type: "int32" },
                { name: "leaderId", type: "int32" },
                { name: "leaderEpoch", type: "int32", versions: [7], default: -1 },
                { name: "replicaNodes", type: { array: "int32" } },
                { name: "isrNodes", type: { array: "int32" } },
                { name: "offlineReplicas", type: { array: "int32" }, versions: [5] },
              ],
            },
          },
          { name: "topicAuthorizedOperations", type: "int32", versions: [8], default: UNKNOWN_OPERATIONS },
        ],
      },
    },
    { name: "clusterAuthorizedOperations", type: "int32", versions: [8], default: UNKNOWN_OPERATIONS },
  ],
};

export interface MetadataRequest {
  topics: Array<{ name: string }> | null;
  allowAutoTopicCreation: boolean;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  /** v7+; −1 (unknown) when left out. */
  leaderEpoch?: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
  clusterId: string | null;
  controllerId: number;
  topics: Array<{ errorCode: number; name: string; isInternal: boolean; partitions: MetadataPartition[] }>;
}
