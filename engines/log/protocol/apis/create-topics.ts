/**
 * CreateTopics (key 19), v0–7; v5+ answers what was created: partitions, replication factor and
 * every topic config with its source. Sent to the controller (this broker). Replication factor above the
 * number of brokers is refused; −1 means the broker default.
 *
 * CreateTopics Request (Version: 0) => [topics] timeout_ms INT32
 * CreateTopics Request (Version: 1-3) => [topics] timeout_ms INT32 validate_only BOOLEAN
 *   topics => name STRING num_partitions INT32 replication_factor INT16 [assignments] [configs]
 *     assignments => partition_index INT32 [broker_ids INT32]
 *     configs => name STRING value NULLABLE_STRING
 * CreateTopics Response (Version: 0) => [topics]
 *   topics => name STRING error_code INT16
 * CreateTopics Response (Version: 1) => [topics]
 *   topics => name STRING error_code INT16 error_message NULLABLE_STRING
 * CreateTopics Response (Version: 2-3) => throttle_time_ms INT32 [topics]
 */

import type { MessageSchema } from "../schema.ts";

export const createTopics: MessageSchema = {
  name: "CreateTopics",
  apiKey: 19,
  versions: [0, 7],
  flexibleFrom: 5,
  request: [
    {
      name: "topics",
      type: {
        array: [
          { name: "name", type: "string" },
          { name: "numPartitions", type: "int32" },
          { name: "replicationFactor", type: "int16" },
          {
            name: "assignments",
            type: {
              array: [
                { name: "partitionIndex", type: "int32" },
                { name: "brokerIds", type: { array: "int32" } },
              ],
            },
          },
          {
            name: "configs",
            type: {
              array: [
                { name: "name", type: "string" },
                { name: "value", type: "string", nullable: [0], default: null },
              ],
            },
          },
        ],
      },
    },
    { name: "timeoutMs", type: "int32" },
    { name: "validateOnly", type: "bool", versions: [1] },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [2] },
    {
      name: "topics",
      type: {
        array: [
          { name: "name", type: "string" },
          { name: "topicId", type: "uuid", versions: [7] },
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", versions: [1], nullable: [1], default: null },
          { name: "numPartitions", type: "int32", versions: [5], default: -1 },
          { name: "replicationFactor", type: "int16", versions: [5], default: -1 },
          {
            name: "configs",
            versions: [5],
            nullable: [5],
            default: null,
            type: {
              array: [
                { name: "name", type: "string" },
                { name: "value", type: "string", nullable: [5] },
                { name: "readOnly", type: "bool" },
                { name: "configSource", type: "int8" },
                { name: "isSensitive", type: "bool" },
              ],
            },
          },
        ],
      },
    },
  ],
};

export interface CreateTopicsRequest {
  topics: Array<{
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
    configs: Array<{ name: string; value: string | null }>;
  }>;
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: Array<{
    name: string;
    errorCode: number;
    errorMessage: string | null;
    /** v5+: what was created (−1 on error). */
    numPartitions?: number;
    replicationFactor?: number;
    /** v5+: the topic's configs as created (null on error). */
    configs?: Array<{
      name: string;
      value: string | null;
      readOnly: boolean;
      configSource: number;
      isSensitive: boolean;
    }> | null;
  }>;
}
