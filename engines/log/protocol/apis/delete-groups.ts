/**
 * DeleteGroups (key 42), v0–2 (v2 is the first flexible version). Deletes consumer groups that have
 * no members, with their committed offsets.
 *
 * DeleteGroups Request (Version: 0-2) => [groups_names STRING]
 * DeleteGroups Response (Version: 0-2) => throttle_time_ms INT32 [results]
 *   results => group_id STRING error_code INT16
 */

import type { MessageSchema } from "../schema.ts";

export const deleteGroups: MessageSchema = {
  name: "DeleteGroups",
  apiKey: 42,
  versions: [0, 2],
  flexibleFrom: 2,
  request: [{ name: "groupsNames", type: { array: "string" } }],
  response: [
    { name: "throttleTimeMs", type: "int32" },
    {
      name: "results",
      type: {
        array: [
          { name: "groupId", type: "string" },
          { name: "errorCode", type: "int16" },
        ],
      },
    },
  ],
};

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: Array<{ groupId: string; errorCode: number }>;
}
