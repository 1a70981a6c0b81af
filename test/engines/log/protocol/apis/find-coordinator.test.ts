import { test } from "node:test";
import { findCoordinator } from "../../../../../engines/log/protocol/apis/find-coordinator.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("FindCoordinator v2 request: key key_type", () => {
  assertRequest(findCoordinator, 2, hex("0002 6731 00"), { key: "g1", keyType: 0 });
});

test("FindCoordinator v0 request: key only", () => {
  assertRequest(findCoordinator, 0, hex("0002 6731"), { key: "g1", keyType: 0 });
});

test("FindCoordinator v2 response", () => {
  assertResponse(findCoordinator, 2, hex("00000000 0000 ffff 00000001 0009 3132372e302e302e31 00002384"), {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: 1,
    host: "127.0.0.1",
    port: 9092,
  });
});

test("FindCoordinator v0 response: no throttle or message", () => {
  assertResponse(findCoordinator, 0, hex("000f 00000001 0001 68 00002384"), {
    errorCode: 15,
    nodeId: 1,
    host: "h",
    port: 9092,
    throttleTimeMs: 0,
    errorMessage: null,
  });
});
