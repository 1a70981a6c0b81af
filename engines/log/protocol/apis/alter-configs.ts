/**
 * AlterConfigs (key 33), v0–2 (flexible from v2), and IncrementalAlterConfigs (key 44), v0–1
 * (flexible from v1). Both change topic configs; AlterConfigs replaces a topic's whole set (what
 * it leaves out returns to the default), IncrementalAlterConfigs sets or deletes single keys.
 * kafkajs 2.2.4 has only AlterConfigs; @platformatic/kafka uses both.
 *
 * AlterConfigs Request (Version: 0-2) => [resources] validate_only BOOLEAN
 *   resources => resource_type INT8 resource_name STRING [configs]
 *     configs => name STRING value NULLABLE_STRING
 * IncrementalAlterConfigs Request (Version: 0-1) => [resources] validate_only BOOLEAN
 *   resources => resource_type INT8 resource_name STRING [configs]
 *     configs => name STRING config_operation INT8 value NULLABLE_STRING
 * Response (both) => throttle_time_ms INT32 [responses]
 *   responses => error_code INT16 error_message NULLABLE_STRING resource_type INT8 resource_name STRING
 */

import type { Field, MessageSchema } from "../schema.ts";

const response: Field[] = [
  { name: "throttleTimeMs", type: "int32" },
  {
    name: "responses",
    type: {
      array: [
        { name: "errorCode", type: "int16" },
        { name: "errorMessage", type: "string", nullable: [0], default: null },
        { name: "resourceType", type: "int8" },
        { name: "resourceName", type: "string" },
      ],
    },
  },
];

export const alterConfigs: MessageSchema = {
  name: "AlterConfigs",
  apiKey: 33,
  versions: [0, 2],
  flexibleFrom: 2,
  request: [
    {
      name: "resources",
      type: {
        array: [
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          {
            name: "configs",
            type: {
              array: [
                { name: "name", type: "string" },
                { name: "value", type: "string", nullable: [0], default: null },
              ],
            },
          },
        ],
      },
    },
    { name: "validateOnly", type: "bool" },
  ],
  response,
};

export const incrementalAlterConfigs: MessageSchema = {
  name: "IncrementalAlterConfigs",
  apiKey: 44,
  versions: [0, 1],
  flexibleFrom: 1,
  request: [
    {
      name: "resources",
      type: {
        array: [
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          {
            name: "configs",
            type: {
              array: [
                { name: "name", type: "string" },
                { name: "configOperation", type: "int8" },
                { name: "value", type: "string", nullable: [0], default: null },
              ],
            },
          },
        ],
      },
    },
    { name: "validateOnly", type: "bool" },
  ],
  response,
};

export interface AlterConfigsRequest {
  resources: Array<{
    resourceType: number;
    resourceName: string;
    /** IncrementalAlterConfigs entries carry `configOperation`. */
    configs: Array<{ name: string; value: string | null; configOperation?: number }>;
  }>;
  validateOnly: boolean;
}

export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: Array<{
    errorCode: number;
    errorMessage: string | null;
    resourceType: number;
    resourceName: string;
  }>;
}
