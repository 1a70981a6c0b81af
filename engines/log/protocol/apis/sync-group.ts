/**
 * SyncGroup (key 14), v0–3. After a join, the leader sends every member's assignment; the other
 * members wait for it. The coordinator never computes assignments itself.
 *
 * SyncGroup Request (Version: 3) => group_id STRING generation_id INT32 member_id STRING
 *     group_instance_id NULLABLE_STRING [assignments]                 (group_instance_id v3+)
 *   assignments => member_id STRING assignment BYTES
 * SyncGroup Response (Version: 1-3) => throttle_time_ms INT32 error_code INT16 assignment BYTES
 *   (throttle_time_ms v1+)
 */

import type { MessageSchema } from "../schema.ts";

export const syncGroup: MessageSchema = {
  name: "SyncGroup",
  apiKey: 14,
  versions: [0, 4],
  flexibleFrom: 4,
  request: [
    { name: "groupId", type: "string" },
    { name: "generationId", type: "int32" },
    { name: "memberId", type: "string" },
    { name: "groupInstanceId", type: "string", versions: [3], nullable: [3], default: null },
    {
      name: "assignments",
      type: {
        array: [
          { name: "memberId", type: "string" },
          { name: "assignment", type: "bytes" },
        ],
      },
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [1] },
    { name: "errorCode", type: "int16" },
    { name: "assignment", type: "bytes" },
  ],
};

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  assignment: Buffer;
}
