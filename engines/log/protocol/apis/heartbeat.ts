/**
 * Heartbeat (key 12), v0–3. Keeps a member's session alive and tells it, with
 * REBALANCE_IN_PROGRESS (27), that it must rejoin.
 *
 * Heartbeat Request (Version: 3) => group_id STRING generation_id INT32 member_id STRING
 *     group_instance_id NULLABLE_STRING                                (group_instance_id v3+)
 * Heartbeat Response (Version: 1-3) => throttle_time_ms INT32 error_code INT16   (throttle v1+)
 */

import type { MessageSchema } from "../schema.ts";

export const heartbeat: MessageSchema = {
  name: "Heartbeat",
  apiKey: 12,
  versions: [0, 4],
  flexibleFrom: 4,
  request: [
    { name: "groupId", type: "string" },
    { name: "generationId", type: "int32" },
    { name: "memberId", type: "string" },
    { name: "groupInstanceId", type: "string", versions: [3], nullable: [3], default: null },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [1] },
    { name: "errorCode", type: "int16" },
  ],
};

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
}
