/**
 * ApiVersions (key 18), v0–3. The client's first request; the broker lists exactly the API keys
 * and version ranges it implements. v3 is flexible and is implemented here to exercise the compact
 * codec. Its response always travels with response header v0 (KIP-511), even when flexible.
 *
 * ApiVersions Request (Version: 0-2) =>
 * ApiVersions Request (Version: 3) => client_software_name COMPACT_STRING client_software_version COMPACT_STRING TAG_BUFFER
 * ApiVersions Response (Version: 0) => error_code INT16 [api_keys]
 *   api_keys => api_key INT16 min_version INT16 max_version INT16
 * ApiVersions Response (Version: 1-2) => error_code INT16 [api_keys] throttle_time_ms INT32
 * ApiVersions Response (Version: 3) => error_code INT16 COMPACT_ARRAY[api_keys TAG_BUFFER] throttle_time_ms INT32 TAG_BUFFER
 */

import type { MessageSchema } from "../schema.ts";

export const apiVersions: MessageSchema = {
  name: "ApiVersions",
  apiKey: 18,
  versions: [0, 3],
  flexibleFrom: 3,
  request: [
    { name: "clientSoftwareName", type: "string", versions: [3] },
    { name: "clientSoftwareVersion", type: "string", versions: [3] },
  ],
  response: [
    { name: "errorCode", type: "int16" },
    {
      name: "apiKeys",
      type: {
        array: [
          { name: "apiKey", type: "int16" },
          { name: "minVersion", type: "int16" },
          { name: "maxVersion", type: "int16" },
        ],
      },
    },
    { name: "throttleTimeMs", type: "int32", versions: [1] },
  ],
};

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
  throttleTimeMs: number;
}
