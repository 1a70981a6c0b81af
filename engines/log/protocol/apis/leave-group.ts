/**
 * LeaveGroup (key 13), v0–3. Members leave explicitly (clean shutdown) so the group rebalances
 * at once instead of after a session timeout. v3 batches several members.
 *
 * LeaveGroup Request (Version: 0-2) => group_id STRING member_id STRING
 * LeaveGroup Request (Version: 3) => group_id STRING [members]
 *   members => member_id STRING group_instance_id NULLABLE_STRING
 * LeaveGroup Response (Version: 0) => error_code INT16
 * LeaveGroup Response (Version: 1-2) => throttle_time_ms INT32 error_code INT16
 * LeaveGroup Response (Version: 3) => throttle_time_ms INT32 error_code INT16 [members]
 *   members => member_id STRING group_instance_id NULLABLE_STRING error_code INT16
 */

import type { MessageSchema } from "../schema.ts";

export const leaveGroup: MessageSchema = {
  name: "LeaveGroup",
  apiKey: 13,
  versions: [0, 4],
  flexibleFrom: 4,
  request: [
    { name: "groupId", type: "string" },
    { name: "memberId", type: "string", versions: [0, 2] },
    {
      name: "members",
      versions: [3],
      type: {
        array: [
          { name: "memberId", type: "string" },
          { name: "groupInstanceId", type: "string", nullable: [3], default: null },
        ],
      },
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [1] },
    { name: "errorCode", type: "int16" },
    {
      name: "members",
      versions: [3],
      type: {
        array: [
          { name: "memberId", type: "string" },
          { name: "groupInstanceId", type: "string", nullable: [3], default: null },
          { name: "errorCode", type: "int16" },
        ],
      },
    },
  ],
};

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null }>;
}

export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}
