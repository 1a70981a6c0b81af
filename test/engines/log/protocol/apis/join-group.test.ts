import { test } from "node:test";
import { joinGroup } from "../../../../../engines/log/protocol/apis/join-group.ts";
import { assertRequest, assertResponse, b, hex } from "../../helpers/bytes.ts";

const meta = hex("000100000001000174ffffffff");

test("JoinGroup v5 request", () => {
  const bytes = b()
    .str("g")
    .i32(30000)
    .i32(60000)
    .str("")
    .str(null) // group_instance_id
    .str("consumer")
    .arr(1)
    .str("RoundRobinAssigner")
    .bytes(meta).buf;
  assertRequest(joinGroup, 5, bytes, {
    groupId: "g",
    sessionTimeoutMs: 30000,
    rebalanceTimeoutMs: 60000,
    memberId: "",
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [{ name: "RoundRobinAssigner", metadata: meta }],
  });
});

test("JoinGroup v0 request: no rebalance timeout (default −1) or instance id", () => {
  assertRequest(joinGroup, 0, hex("0001 67 00002710 0001 6d 0001 63 00000000"), {
    groupId: "g",
    sessionTimeoutMs: 10000,
    memberId: "m",
    protocolType: "c",
    protocols: [],
    rebalanceTimeoutMs: -1,
    groupInstanceId: null,
  });
});

test("JoinGroup v5 response (leader view with members)", () => {
  const bytes = b()
    .i32(0)
    .i16(0)
    .i32(3) // generation
    .str("rr")
    .str("m1")
    .str("m1")
    .arr(2)
    .str("m1")
    .str(null)
    .bytes(meta)
    .str("m2")
    .str(null)
    .bytes(Buffer.alloc(0)).buf;
  assertResponse(joinGroup, 5, bytes, {
    throttleTimeMs: 0,
    errorCode: 0,
    generationId: 3,
    protocolName: "rr",
    leader: "m1",
    memberId: "m1",
    members: [
      { memberId: "m1", groupInstanceId: null, metadata: meta },
      { memberId: "m2", groupInstanceId: null, metadata: Buffer.alloc(0) },
    ],
  });
});

test("JoinGroup v5 MEMBER_ID_REQUIRED response", () => {
  assertResponse(joinGroup, 5, hex("00000000 004f ffffffff 0000 0000 0002 6d31 00000000"), {
    throttleTimeMs: 0,
    errorCode: 79,
    generationId: -1,
    protocolName: "",
    leader: "",
    memberId: "m1",
    members: [],
  });
});
