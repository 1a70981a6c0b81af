import { test } from "node:test";
import { deleteTopics } from "../../../../../engines/log/protocol/apis/delete-topics.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("DeleteTopics v1 request: [name] timeout", () => {
  assertRequest(deleteTopics, 1, hex("00000002 0001 61 0001 62 00001388"), {
    topicNames: ["a", "b"],
    timeoutMs: 5000,
  });
});

test("DeleteTopics v1 and v0 responses", () => {
  const responses = [{ name: "a", errorCode: 3 }];
  assertResponse(deleteTopics, 1, hex("00000000 00000001 0001 61 0003"), { throttleTimeMs: 0, responses });
  assertResponse(deleteTopics, 0, hex("00000001 0001 61 0003"), { responses, throttleTimeMs: 0 });
});
