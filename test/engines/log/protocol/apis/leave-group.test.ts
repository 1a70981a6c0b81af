import { test } from "node:test";
import { leaveGroup } from "../../../../../engines/log/protocol/apis/leave-group.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("LeaveGroup v3 request: batch of members", () => {
  assertRequest(leaveGroup, 3, hex("0001 67 00000001 0002 6d31 ffff"), {
    groupId: "g",
    members: [{ memberId: "m1", groupInstanceId: null }],
    memberId: "",
  });
});

test("LeaveGroup v0 request: one member id", () => {
  assertRequest(leaveGroup, 0, hex("0001 67 0002 6d31"), { groupId: "g", memberId: "m1", members: [] });
});

test("LeaveGroup v3 response", () => {
  assertResponse(leaveGroup, 3, hex("00000000 0000 00000001 0002 6d31 ffff 0019"), {
    throttleTimeMs: 0,
    errorCode: 0,
    members: [{ memberId: "m1", groupInstanceId: null, errorCode: 25 }],
  });
});
