import { test } from "node:test";
import { describeGroups } from "../../../../../engines/log/protocol/apis/describe-groups.ts";
import { assertRequest, assertResponse, b, hex } from "../../helpers/bytes.ts";

test("DescribeGroups v2 request: [group ids]", () => {
  assertRequest(describeGroups, 2, hex("00000002 0001 61 0001 62"), { groups: ["a", "b"] });
});

test("DescribeGroups v2 response", () => {
  const bytes = b()
    .i32(0) // throttle_time_ms
    .arr(1)
    .i16(0)
    .str("g")
    .str("Stable")
    .str("consumer")
    .str("rr")
    .arr(1)
    .str("m1")
    .str("c1")
    .str("/127.0.0.1")
    .bytes(hex("0102"))
    .bytes(hex("0304")).buf;
  assertResponse(describeGroups, 2, bytes, {
    throttleTimeMs: 0,
    groups: [
      {
        errorCode: 0,
        groupId: "g",
        groupState: "Stable",
        protocolType: "consumer",
        protocolData: "rr",
        members: [
          {
            memberId: "m1",
            clientId: "c1",
            clientHost: "/127.0.0.1",
            memberMetadata: hex("0102"),
            memberAssignment: hex("0304"),
          },
        ],
      },
    ],
  });
});

test("DescribeGroups v0 response has no throttle time", () => {
  assertResponse(describeGroups, 0, hex("00000001 0000 0001 67 0004 44656164 0000 0000 00000000"), {
    groups: [
      { errorCode: 0, groupId: "g", groupState: "Dead", protocolType: "", protocolData: "", members: [] },
    ],
    throttleTimeMs: 0,
  });
});
