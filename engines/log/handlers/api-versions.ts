/** ApiVersions: the implemented table, exactly (see protocol/registry.ts). */

import type { BrokerContext } from "../broker-context.ts";
import type { ApiVersionsResponse } from "../protocol/apis/api-versions.ts";
import { advertisedVersions } from "../protocol/registry.ts";

export function handleApiVersions(_ctx: BrokerContext): ApiVersionsResponse {
  return { errorCode: 0, apiKeys: advertisedVersions(), throttleTimeMs: 0 };
}
