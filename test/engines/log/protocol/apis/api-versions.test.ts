import { test } from "node:test";
import { apiVersions } from "../../../../../engines/log/protocol/apis/api-versions.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("ApiVersions v0-2 request has an empty body", () => {
  for (const v of [0, 1, 2]) {
    assertRequest(apiVersions, v, Buffer.alloc(0), { clientSoftwareName: "", clientSoftwareVersion: "" });
  }
});

test("ApiVersions v3 request is compact with a trailing tag section", () => {
  assertRequest(
    apiVersions,
    3,
    hex(`
      08 6b61666b616a73   # client_software_name COMPACT_STRING "kafkajs" (len 7 + 1)
      06 322e322e34       # client_software_version "2.2.4"
      00                  # empty TAG_BUFFER
    `),
    { clientSoftwareName: "kafkajs", clientSoftwareVersion: "2.2.4" },
  );
});

const keys = [
  { apiKey: 0, minVersion: 3, maxVersion: 7 },
  { apiKey: 18, minVersion: 0, maxVersion: 3 },
];

test("ApiVersions v0 response: error_code [api_key min max]", () => {
  assertResponse(
    apiVersions,
    0,
    hex("0000 00000002 0000 0003 0007 0012 0000 0003"),
    // throttle_time_ms is absent in v0; the decoder fills the default 0.
    { errorCode: 0, apiKeys: keys, throttleTimeMs: 0 },
  );
});

test("ApiVersions v2 response adds throttle_time_ms", () => {
  assertResponse(apiVersions, 2, hex("0000 00000002 0000 0003 0007 0012 0000 0003 00000064"), {
    errorCode: 0,
    apiKeys: keys,
    throttleTimeMs: 100,
  });
});

test("ApiVersions v3 response: compact array, per-entry and top-level tag sections", () => {
  assertResponse(
    apiVersions,
    3,
    hex(`
      0000                 # error_code
      03                   # COMPACT_ARRAY of 2
      0000 0003 0007 00    # Produce 3..7, tags
      0012 0000 0003 00    # ApiVersions 0..3, tags
      00000000             # throttle_time_ms
      00                   # tags
    `),
    { errorCode: 0, apiKeys: keys, throttleTimeMs: 0 },
  );
});
