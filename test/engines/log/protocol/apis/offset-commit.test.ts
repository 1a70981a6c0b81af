import { test } from "node:test";
import { offsetCommit } from "../../../../../engines/log/protocol/apis/offset-commit.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("OffsetCommit v5 request", () => {
  assertRequest(
    offsetCommit,
    5,
    hex("0001 67 00000003 0002 6d31 00000001 0001 74 00000001 00000000 000000000000002a ffff"),
    {
      groupId: "g",
      generationId: 3,
      memberId: "m1",
      retentionTimeMs: -1,
      topics: [
        { name: "t", partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: null }] },
      ],
    },
  );
});

test("OffsetCommit v2 request carries retention_time_ms", () => {
  assertRequest(offsetCommit, 2, hex("0001 67 ffffffff 0000 ffffffffffffffff 00000000"), {
    groupId: "g",
    generationId: -1,
    memberId: "",
    retentionTimeMs: -1,
    topics: [],
  });
});

test("OffsetCommit v5 and v2 responses", () => {
  const topics = [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: 22 }] }];
  assertResponse(offsetCommit, 5, hex("00000000 00000001 0001 74 00000001 00000000 0016"), {
    throttleTimeMs: 0,
    topics,
  });
  assertResponse(offsetCommit, 2, hex("00000001 0001 74 00000001 00000000 0016"), {
    topics,
    throttleTimeMs: 0,
  });
});
