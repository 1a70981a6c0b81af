import { test } from "node:test";
import { syncGroup } from "../../../../../engines/log/protocol/apis/sync-group.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("SyncGroup v3 request", () => {
  assertRequest(syncGroup, 3, hex("0001 67 00000002 0002 6d31 ffff 00000001 0002 6d31 00000002 abcd"), {
    groupId: "g",
    generationId: 2,
    memberId: "m1",
    groupInstanceId: null,
    assignments: [{ memberId: "m1", assignment: hex("abcd") }],
  });
});

test("SyncGroup v0 request: no group_instance_id", () => {
  assertRequest(syncGroup, 0, hex("0001 67 00000002 0002 6d31 00000000"), {
    groupId: "g",
    generationId: 2,
    memberId: "m1",
    assignments: [],
    groupInstanceId: null,
  });
});

test("SyncGroup v3 response", () => {
  assertResponse(syncGroup, 3, hex("00000000 001b 00000000"), {
    throttleTimeMs: 0,
    errorCode: 27,
    assignment: Buffer.alloc(0),
  });
});
