import { test } from "node:test";
import { heartbeat } from "../../../../../engines/log/protocol/apis/heartbeat.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("Heartbeat v3 request", () => {
  assertRequest(heartbeat, 3, hex("0001 67 00000004 0002 6d31 ffff"), {
    groupId: "g",
    generationId: 4,
    memberId: "m1",
    groupInstanceId: null,
  });
});

test("Heartbeat v3 and v0 responses", () => {
  assertResponse(heartbeat, 3, hex("00000000 0016"), { throttleTimeMs: 0, errorCode: 22 });
  assertResponse(heartbeat, 0, hex("0019"), { errorCode: 25, throttleTimeMs: 0 });
});
