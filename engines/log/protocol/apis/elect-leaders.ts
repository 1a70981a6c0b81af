/**
 * ElectLeaders (key 43), v0–v2 (field table as in Kafka's message JSON specs; KIP-183, KIP-460):
 * v0 elects the preferred replica only, v1 adds `election_type` (0 preferred, 1 unclean) and a
 * top-level error code, v2 is the first flexible version. `topic_partitions` null = every
 * partition. kafkajs 2.2.4, librdkafka 2.0.2 and @platformatic/kafka 1.35.0 have no client for it.
 *
 * ElectLeaders Request (Version: 2) => election_type [topic_partitions] timeout_ms TAG_BUFFER
 *   topic_partitions => topic [partitions] TAG_BUFFER
 * ElectLeaders Response (Version: 2) => throttle_time_ms error_code [replica_election_results] TAG_BUFFER
 *   replica_election_results => topic [partition_result] TAG_BUFFER
 *     partition_result => partition_id error_code error_message TAG_BUFFER
 */

import type { MessageSchema } from "../schema.ts";

export const electLeaders: MessageSchema = {
  name: "ElectLeaders",
  apiKey: 43,
  versions: [0, 2],
  flexibleFrom: 2,
  request: [
    { name: "electionType", type: "int8", versions: [1], default: 0 },
    {
      name: "topicPartitions",
      type: {
        array: [
          { name: "topic", type: "string" },
          { name: "partitions", type: { array: "int32" } },
        ],
      },
      nullable: [0],
      default: null,
    },
    { name: "timeoutMs", type: "int32", default: 60_000 },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32" },
    { name: "errorCode", type: "int16", versions: [1] },
    {
      name: "replicaElectionResults",
      type: {
        array: [
          { name: "topic", type: "string" },
          {
            name: "partitionResult",
            type: {
              array: [
                { name: "partitionId", type: "int32" },
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

/** 0: the preferred replica (the first of the assignment); 1: any live replica when no ISR member is alive. */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

export interface ElectLeadersRequest {
  electionType: number;
  topicPartitions: Array<{ topic: string; partitions: number[] }> | null;
  timeoutMs: number;
}

export interface ElectionResult {
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface ElectLeadersResponse {
  throttleTimeMs: number;
  errorCode: number;
  replicaElectionResults: Array<{ topic: string; partitionResult: ElectionResult[] }>;
}
