/**
 * ListGroups (key 16), v0–2. Every group the coordinator knows, with its protocol type.
 *
 * ListGroups Request (Version: 0-2) =>
 * ListGroups Response (Version: 0) => error_code INT16 [groups]
 * ListGroups Response (Version: 1-2) => throttle_time_ms INT32 error_code INT16 [groups]
 *   groups => group_id STRING protocol_type STRING
 */

import type { MessageSchema } from "../schema.ts";

export const listGroups: MessageSchema = {
  name: "ListGroups",
  apiKey: 16,
  versions: [0, 2],
  flexibleFrom: null,
  request: [],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [1] },
    { name: "errorCode", type: "int16" },
    {
      name: "groups",
      type: {
        array: [
          { name: "groupId", type: "string" },
          { name: "protocolType", type: "string" },
        ],
      },
    },
  ],
};

export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: Array<{ groupId: string; protocolType: string }>;
}
