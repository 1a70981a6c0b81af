import { test } from "node:test";
import { offsetFetch } from "../../../../../engines/log/protocol/apis/offset-fetch.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("OffsetFetch v4 request: group [topic [partition]]", () => {
  assertRequest(offsetFetch, 4, hex("0001 67 00000001 0001 74 00000002 00000000 00000001"), {
    groupId: "g",
    topics: [{ name: "t", partitionIndexes: [0, 1] }],
  });
  assertRequest(offsetFetch, 4, hex("0001 67 ffffffff"), { groupId: "g", topics: null });
});

test("OffsetFetch v4 response: −1 means nothing committed", () => {
  assertResponse(
    offsetFetch,
    4,
    hex("00000000 00000001 0001 74 00000001 00000000 ffffffffffffffff ffff 0000 0000"),
    {
      throttleTimeMs: 0,
      topics: [
        { name: "t", partitions: [{ partitionIndex: 0, committedOffset: -1, metadata: null, errorCode: 0 }] },
      ],
      errorCode: 0,
    },
  );
});

test("OffsetFetch v1 response: no throttle and no top-level error", () => {
  assertResponse(offsetFetch, 1, hex("00000001 0001 74 00000001 00000000 0000000000000005 0000 0000"), {
    topics: [
      { name: "t", partitions: [{ partitionIndex: 0, committedOffset: 5, metadata: "", errorCode: 0 }] },
    ],
    throttleTimeMs: 0,
    errorCode: 0,
  });
});
