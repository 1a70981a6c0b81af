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
  versions: [0, 4],
  flexibleFrom: 3,
  request: [
    { name: "key", type: "string", versions: [0, 3] },
    { name: "keyType", type: "int8", versions: [1] },
    { name: "coordinatorKeys", type: { array: "string" }, versions: [4] },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [1] },
    { name: "errorCode", type: "int16", versions: [0, 3] },
    { name: "errorMessage", type: "string", versions: [1, 3], nullable: [1], default: null },
    { name: "nodeId", type: "int32", versions: [0, 3] },
    { name: "host", type: "string", versions: [0, 3] },
    { name: "port", type: "int32", versions: [0, 3] },
    {
      name: "coordinators",
      versions: [4],
      type: {
        array: [
          { name: "key", type: "string" },
          { name: "nodeId", type: "int32" },
          { name: "host", type: "string" },
          { name: "port", type: "int32" },
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: [4], default: null },
        ],
      },
    },
  ],
};

export interface FindCoordinatorRequest {
  /** v0–3. */
  key: string;
  keyType: number;
  /** v4+: several keys in one request. */
  coordinatorKeys: string[];
}

export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
  coordinators: Coordinator[];
}
