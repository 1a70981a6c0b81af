/**
 * DeleteTopics (key 20), v0–1. Removes topics and their partition directories.
 *
 * DeleteTopics Request (Version: 0-1) => [topic_names STRING] timeout_ms INT32
 * DeleteTopics Response (Version: 0) => [responses]
 * DeleteTopics Response (Version: 1) => throttle_time_ms INT32 [responses]
 *   responses => name STRING error_code INT16
 */

import type { MessageSchema } from "../schema.ts";

export const deleteTopics: MessageSchema = {
  name: "DeleteTopics",
  apiKey: 20,
  versions: [0, 1],
  flexibleFrom: null,
  request: [
    { name: "topicNames", type: { array: "string" } },
    { name: "timeoutMs", type: "int32" },
  ],
  response: [
    { name: "throttleTimeMs", type: "int32", versions: [1] },
    {
      name: "responses",
      type: {
        array: [
          { name: "name", type: "string" },
          { name: "errorCode", type: "int16" },
        ],
      },
    },
  ],
};

export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: Array<{ name: string; errorCode: number }>;
}
