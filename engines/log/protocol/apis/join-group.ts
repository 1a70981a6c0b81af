/**
 * JoinGroup (key 11), v0–5. A member (re)joins; the coordinator answers every member once the join
 * barrier completes, and sends the member list with protocol metadata to the leader only. From v4
 * a member joining with an empty id is given an id and told MEMBER_ID_REQUIRED (79), then rejoins.
 *
 * JoinGroup Request (Version: 5) => group_id STRING session_timeout_ms INT32 rebalance_timeout_ms INT32
 *     member_id STRING group_instance_id NULLABLE_STRING protocol_type STRING [protocols]
 *   protocols => name STRING metadata BYTES
 *   (rebalance_timeout_ms v1+, group_instance_id v5+)
 * JoinGroup Response (Version: 5) => throttle_time_ms INT32 error_code INT16 generation_id INT32
 *     protocol_name STRING leader STRING member_id STRING [members]
 *   members => member_id STRING group_instance_id NULLABLE_STRING metadata BYTES
 *   (throttle_time_ms v2+, group_instance_id v5+)
 */

import type { MessageSchema } from "../schema.ts";

export const joinGroup: MessageSchema = {
  name: "JoinGroup",
  apiKey: 11,
  versions: [0, 6],
  flexibleFrom: 6,
  request: [
    { name: "groupId", type: "string" },
    { name: "sessionTimeoutMs", type: "int32" },
    { name: "rebalanceTimeoutMs", type: "int32", versions: [1], default: -1 },
    { name: "memberId", type: "string" },
    { name: "groupInstanceId", type: "string", versions: [5], nullable: [5], default: null },
    { name: "protocolType", type: "string" },
    {
      name: "protocols",
      type: {
        array: [
          { name: "name", type: "string" },
          { name: "metadata", type: "bytes" },
        ],
      },
    },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [2] },
    { name: "errorCode", type: "int16" },
    { name: "generationId", type: "int32" },
    { name: "protocolName", type: "string" },
    { name: "leader", type: "string" },
    { name: "memberId", type: "string" },
    {
      name: "members",
      type: {
        array: [
          { name: "memberId", type: "string" },
          { name: "groupInstanceId", type: "string", versions: [5], nullable: [5], default: null },
          { name: "metadata", type: "bytes" },
        ],
      },
    },
  ],
};

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
}

export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}
