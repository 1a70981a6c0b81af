/**
 * FindCoordinator (key 10), v0–2. One broker coordinates every group (key_type 0), so the answer
 * is always this broker's advertised address. Transaction coordinators (key_type 1) are refused.
 *
 * FindCoordinator Request (Version: 0) => key STRING
 * FindCoordinator Request (Version: 1-2) => key STRING key_type INT8
 * FindCoordinator Response (Version: 0) => error_code INT16 node_id INT32 host STRING port INT32
 * FindCoordinator Response (Version: 1-2) => throttle_time_ms INT32 error_code INT16
 *     error_message NULLABLE_STRING node_id INT32 host STRING port INT32
 */

import type { MessageSchema } from "../schema.ts";

export const findCoordinator: MessageSchema = {
  name: "FindCoordinator",
  apiKey: 10,
  versions: [0, 2],
  flexibleFrom: null,
  request: [
    { name: "key", type: "string" },
    { name: "keyType", type: "int8", versions: [1] },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [1] },
    { name: "errorCode", type: "int16" },
    { name: "errorMessage", type: "string", versions: [1], nullable: [1], default: null },
    { name: "nodeId", type: "int32" },
    { name: "host", type: "string" },
    { name: "port", type: "int32" },
  ],
};

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}
