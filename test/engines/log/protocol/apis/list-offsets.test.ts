import { test } from "node:test";
import { listOffsets } from "../../../../../engines/log/protocol/apis/list-offsets.ts";
import { assertRequest, assertResponse, hex } from "../../helpers/bytes.ts";

test("ListOffsets v3 request: replica isolation [topic [partition timestamp]]", () => {
  assertRequest(listOffsets, 3, hex("ffffffff 01 00000001 0001 74 00000001 00000000 fffffffffffffffe"), {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, timestamp: -2 }] }],
  });
});

test("ListOffsets v1 request has no isolation level", () => {
  assertRequest(listOffsets, 1, hex("ffffffff 00000001 0001 74 00000001 00000000 ffffffffffffffff"), {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
  });
});

test("ListOffsets v3 response", () => {
  assertResponse(
    listOffsets,
    3,
    hex("00000000 00000001 0001 74 00000001 00000000 0000 ffffffffffffffff 0000000000000064"),
    {
      throttleTimeMs: 0,
      topics: [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 100 }] }],
    },
  );
});
