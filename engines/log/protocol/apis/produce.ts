/**
 * Produce (key 0), v0–7 on the wire; only v3–7 (RecordBatch v2) are served. Each partition carries
 * one record batch as NULLABLE_BYTES; the broker validates and appends it verbatim. acks=0
 * requests get no response at all (the client does not wait for one).
 *
 * v0–2 are decoded and advertised only so that librdkafka < 2.10 compresses: it enables gzip,
 * snappy and lz4 only when the broker's Produce range includes v0. Kafka 4 does the same
 * (KAFKA-18659): it advertises 0–12 and answers v0–2 with UNSUPPORTED_VERSION per partition.
 *
 * Produce Request (Version: 0-2) => acks INT16 timeout_ms INT32 [topic_data]
 * Produce Request (Version: 3-7) => transactional_id NULLABLE_STRING acks INT16 timeout_ms INT32 [topic_data]
 *   topic_data => name STRING [partition_data]
 *     partition_data => index INT32 records RECORDS
 * Produce Response (Version: 0-7) => [responses] throttle_time_ms INT32          (throttle_time_ms v1+)
 *   responses => name STRING [partition_responses]
 *     partition_responses => index INT32 error_code INT16 base_offset INT64 log_append_time_ms INT64
 *                            log_start_offset INT64       (log_append_time_ms v2+, log_start_offset v5+)
 */

import type { MessageSchema } from "../schema.ts";

export const produce: MessageSchema = {
  name: "Produce",
  apiKey: 0,
  versions: [0, 7],
  flexibleFrom: null,
  request: [
    { name: "transactionalId", type: "string", versions: [3], nullable: [3], default: null },
    { name: "acks", type: "int16" },
    { name: "timeoutMs", type: "int32" },
    {
      name: "topicData",
      type: {
        array: [
          { name: "name", type: "string" },
          {
            name: "partitionData",
            type: {
              array: [
                { name: "index", type: "int32" },
                { name: "records", type: "records" },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    {
      name: "responses",
      type: {
        array: [
          { name: "name", type: "string" },
          {
            name: "partitionResponses",
            type: {
              array: [
                { name: "index", type: "int32" },
                { name: "errorCode", type: "int16" },
                { name: "baseOffset", type: "int64" },
                { name: "logAppendTimeMs", type: "int64", versions: [2] },
                { name: "logStartOffset", type: "int64", versions: [5] },
              ],
            },
          },
        ],
      },
    },
    { name: "throttleTimeMs", type: "int32", versions: [1] },
  ],
};

/** The first Produce version served (RecordBatch v2); lower ones are advertised but refused. */
export const PRODUCE_MIN_SERVED = 3;

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer | null }> }>;
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

export interface ProduceResponse {
  responses: Array<{ name: string; partitionResponses: ProducePartitionResponse[] }>;
  throttleTimeMs: number;
}
