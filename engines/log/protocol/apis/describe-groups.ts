/**
 * DescribeGroups (key 15), v0–2. State, protocol and members of consumer groups (admin and
 * monitoring). Unknown groups are reported in state "Dead" without error, as Kafka does.
 *
 * DescribeGroups Request (Version: 0-2) => [groups STRING]
 * DescribeGroups Response (Version: 0) => [groups]
 * DescribeGroups Response (Version: 1-2) => throttle_time_ms INT32 [groups]
 *   groups => error_code INT16 group_id STRING group_state STRING protocol_type STRING
 *             protocol_data STRING [members]
 *     members => member_id STRING client_id STRING client_host STRING member_metadata BYTES
 *                member_assignment BYTES
 */

import type { MessageSchema } from "../schema.ts";

export const describeGroups: MessageSchema = {
  name: "DescribeGroups",
  apiKey: 15,
  versions: [0, 2],
  flexibleFrom: null,
  request: [{ name: "groups", type: { array: "string" } }],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [1] },
    {
      name: "groups",
      type: {
        array: [
          { name: "errorCode", type: "int16" },
          { name: "groupId", type: "string" },
          { name: "groupState", type: "string" },
          { name: "protocolType", type: "string" },
          { name: "protocolData", type: "string" },
          {
            name: "members",
            type: {
              array: [
                { name: "memberId", type: "string" },
                { name: "clientId", type: "string" },
                { name: "clientHost", type: "string" },
                { name: "memberMetadata", type: "bytes" },
                { name: "memberAssignment", type: "bytes" },
              ],
            },
          },
        ],
      },
    },
  ],
};

export interface DescribeGroupsRequest {
  groups: string[];
}

export interface DescribedMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedMember[];
}

export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: DescribedGroup[];
}
