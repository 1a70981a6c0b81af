import { test } from "node:test";
import { listGroups } from "../../../../../engines/log/protocol/apis/list-groups.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("ListGroups request has an empty body", () => {
  for (const v of [0, 1, 2]) assertRequest(listGroups, v, Buffer.alloc(0), {});
});

test("ListGroups v2 and v0 responses", () => {
  const groups = [{ groupId: "g", protocolType: "consumer" }];
  assertResponse(listGroups, 2, hex("00000000 0000 00000001 0001 67 0008 636f6e73756d6572"), {
    throttleTimeMs: 0,
    errorCode: 0,
    groups,
  });
  assertResponse(listGroups, 0, hex("0000 00000001 0001 67 0008 636f6e73756d6572"), {
    errorCode: 0,
    groups,
    throttleTimeMs: 0,
  });
});
