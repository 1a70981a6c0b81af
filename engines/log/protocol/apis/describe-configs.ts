/**
 * DescribeConfigs (key 32), v0–4 (flexible from v4). Topic resources (type 2) answer every topic
 * config with its effective value and where it comes from; broker resources (type 4) answer this
 * broker's settings (engines/log/topic-configs.ts, config.ts).
 *
 * DescribeConfigs Request (Version: 0) => [resources]
 * DescribeConfigs Request (Version: 1-2) => [resources] include_synonyms BOOLEAN
 * DescribeConfigs Request (Version: 3-4) => [resources] include_synonyms BOOLEAN include_documentation BOOLEAN
 *   resources => resource_type INT8 resource_name STRING [configuration_keys STRING] (nullable)
 * DescribeConfigs Response (Version: 0-4) => throttle_time_ms INT32 [results]
 *   results => error_code INT16 error_message NULLABLE_STRING resource_type INT8 resource_name STRING [configs]
 *     configs => name STRING value NULLABLE_STRING read_only BOOLEAN
 *                is_default BOOLEAN (v0) | config_source INT8 (v1+)
 *                is_sensitive BOOLEAN [synonyms] (v1+) config_type INT8 (v3+) documentation NULLABLE_STRING (v3+)
 *       synonyms => name STRING value NULLABLE_STRING source INT8
 */

import type { DescribedConfig } from "../../topic-configs.ts";
import type { MessageSchema } from "../schema.ts";

export const describeConfigs: MessageSchema = {
  name: "DescribeConfigs",
  apiKey: 32,
  versions: [0, 4],
  flexibleFrom: 4,
  request: [
    {
      name: "resources",
      type: {
        array: [
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          { name: "configurationKeys", type: { array: "string" }, nullable: [0], default: null },
        ],
      },
    },
    { name: "includeSynonyms", type: "bool", versions: [1], default: false },
    { name: "includeDocumentation", type: "bool", versions: [3], default: false },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32" },
    {
      name: "results",
      type: {
        array: [
          { name: "errorCode", type: "int16" },
          { name: "errorMessage", type: "string", nullable: [0], default: null },
          { name: "resourceType", type: "int8" },
          { name: "resourceName", type: "string" },
          {
            name: "configs",
            type: {
              array: [
                { name: "name", type: "string" },
                { name: "value", type: "string", nullable: [0] },
                { name: "readOnly", type: "bool" },
                { name: "isDefault", type: "bool", versions: [0, 0] },
                { name: "configSource", type: "int8", versions: [1], default: -1 },
                { name: "isSensitive", type: "bool" },
                {
                  name: "synonyms",
                  versions: [1],
                  type: {
                    array: [
                      { name: "name", type: "string" },
                      { name: "value", type: "string", nullable: [0] },
                      { name: "source", type: "int8" },
                    ],
                  },
                },
                { name: "configType", type: "int8", versions: [3], default: 0 },
                { name: "documentation", type: "string", versions: [3], nullable: [3], default: null },
              ],
            },
          },
        ],
      },
    },
  ],
};

/** Resource types (Kafka's ConfigResource.Type). */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4 } as const;

export interface DescribeConfigsRequest {
  resources: Array<{ resourceType: number; resourceName: string; configurationKeys: string[] | null }>;
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: Array<{
    errorCode: number;
    errorMessage: string | null;
    resourceType: number;
    resourceName: string;
    configs: DescribedConfig[];
  }>;
}
