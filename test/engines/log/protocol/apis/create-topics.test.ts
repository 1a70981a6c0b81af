import { test } from "node:test";
import { createTopics } from "../../../../../engines/log/protocol/apis/create-topics.ts";
import { assertRequest, assertResponse, b, hex } from "../../helpers/bytes.ts";

test("CreateTopics v3 request", () => {
  const bytes = b()
    .arr(1)
    .str("t")
    .i32(6)
    .i16(1)
    .arr(0) // assignments
    .arr(1)
    .str("retention.ms")
    .str("1000")
    .i32(5000)
    .bool(false).buf;
  assertRequest(createTopics, 3, bytes, {
    topics: [
      {
        name: "t",
        numPartitions: 6,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: "retention.ms", value: "1000" }],
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
});

test("CreateTopics v0 request has no validate_only", () => {
  assertRequest(createTopics, 0, hex("00000000 00001388"), {
    topics: [],
    timeoutMs: 5000,
    validateOnly: false,
  });
});

test("CreateTopics v3 response", () => {
  assertResponse(createTopics, 3, hex("00000000 00000001 0001 74 0024 0006 657869737473"), {
    throttleTimeMs: 0,
    topics: [{ name: "t", errorCode: 36, errorMessage: "exists" }],
  });
});

test("CreateTopics v0 response: name and error only", () => {
  assertResponse(createTopics, 0, hex("00000001 0001 74 0000"), {
    topics: [{ name: "t", errorCode: 0, errorMessage: null }],
    throttleTimeMs: 0,
  });
});
