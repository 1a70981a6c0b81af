/**
 * InitProducerId (key 22), v0–4: gives an idempotent producer its producer id and epoch. v2+ is
 * flexible; v3+ lets a producer that already has an id ask for an epoch bump (KIP-360). The
 * versions start at 0 because librdkafka enables idempotence only when the broker's range
 * includes v0; kafkajs uses 0–1, @platformatic/kafka 3+.
 *
 * InitProducerId Request (Version: 0-2) => transactional_id NULLABLE_STRING transaction_timeout_ms INT32
 * InitProducerId Request (Version: 3-4) => ... producer_id INT64 producer_epoch INT16
 * InitProducerId Response (Version: 0-4) => throttle_time_ms INT32 error_code INT16 producer_id INT64
 *     producer_epoch INT16
 */

import type { MessageSchema } from "../schema.ts";

export const initProducerId: MessageSchema = {
  name: "InitProducerId",
  apiKey: 22,
  versions: [0, 4],
  flexibleFrom: 2,
  request: [
    { name: "transactionalId", type: "string", nullable: [0], default: null },
    { name: "transactionTimeoutMs", type: "int32" },
    { name: "producerId", type: "int64", versions: [3], default: -1 },
    { name: "producerEpoch", type: "int16", versions: [3], default: -1 },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32" },
    { name: "errorCode", type: "int16" },
    { name: "producerId", type: "int64", default: -1 },
    { name: "producerEpoch", type: "int16", default: -1 },
  ],
};

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: number;
  producerEpoch: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}
