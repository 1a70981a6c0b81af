/**
 * AlterPartitionReassignments (key 45) and ListPartitionReassignments (key 46), v0 only, both
 * flexible from v0 (KIP-455; field tables as in Kafka's message JSON specs). kafkajs 2.2.4's admin
 * has both; librdkafka 2.0.2 has neither.
 *
 * AlterPartitionReassignments Request (Version: 0) => timeout_ms [topics] TAG_BUFFER
 *   topics => name [partitions] TAG_BUFFER
 *     partitions => partition_index [replicas] TAG_BUFFER    (replicas null = cancel)
 * AlterPartitionReassignments Response (Version: 0) => throttle_time_ms error_code error_message
 *     [responses] TAG_BUFFER
 *   responses => name [partitions] TAG_BUFFER
 *     partitions => partition_index error_code error_message TAG_BUFFER
 * ListPartitionReassignments Request (Version: 0) => timeout_ms [topics] TAG_BUFFER  (topics null = all)
 *   topics => name [partition_indexes] TAG_BUFFER
 * ListPartitionReassignments Response (Version: 0) => throttle_time_ms error_code error_message
 *     [topics] TAG_BUFFER
 *   topics => name [partitions] TAG_BUFFER
 *     partitions => partition_index [replicas] [adding_replicas] [removing_replicas] TAG_BUFFER
 */

import type { MessageSchema } from "../schema.ts";

export const alterPartitionReassignments: MessageSchema = {
  name: "AlterPartitionReassignments",
  apiKey: 45,
  versions: [0, 0],
  flexibleFrom: 0,
  request: [
    { name: "timeoutMs", type: "int32", default: 60_000 },
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
                { name: "replicas", type: { array: "int32" }, nullable: [0], default: null },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32" },
    { name: "errorCode", type: "int16" },
    { name: "errorMessage", type: "string", nullable: [0], default: null },
    {
      name: "responses",
      type: {
        array: [
          { name: "name", type: "string" },
          {
            name: "partitions",
            type: {
              array: [
                { name: "partitionIndex", type: "int32" },
                { name: "errorCode", type: "int16" },
                { name: "errorMessage", type: "string", nullable: [0], default: null },
              ],
            },
          },
        ],
      },
    },
  ],
};

export const listPartitionReassignments: MessageSchema = {
  name: "ListPartitionReassignments",
  apiKey: 46,
  versions: [0, 0],
  flexibleFrom: 0,
  request: [
    { name: "timeoutMs", type: "int32", default: 60_000 },
    {
      name: "topics",
      type: {
        array: [
          { name: "name", type: "string" },
          { name: "partitionIndexes", type: { array: "int32" } },
        ],
      },
      nullable: [0],
      default: null,
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32" },
    { name: "errorCode", type: "int16" },
    { name: "errorMessage", type: "string", nullable: [0], default: null },
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
                { name: "replicas", type: { array: "int32" } },
                { name: "addingReplicas", type: { array: "int32" } },
                { name: "removingReplicas", type: { array: "int32" } },
              ],
            },
          },
        ],
      },
    },
  ],
};

export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; replicas: number[] | null }> }>;
}

export interface ReassignmentResult {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface AlterPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: Array<{ name: string; partitions: ReassignmentResult[] }>;
}

export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
}

export interface OngoingReassignment {
  partitionIndex: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface ListPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  topics: Array<{ name: string; partitions: OngoingReassignment[] }>;
}
