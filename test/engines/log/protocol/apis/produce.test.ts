import { test } from "node:test";
import { produce } from "../../../../../engines/log/protocol/apis/produce.ts";
import { assertRequest, assertResponse, b, hex } from "../../helpers/bytes.ts";

const records = hex("00112233445566778899");

test("Produce v7 request: transactional_id acks timeout [topic [partition records]]", () => {
  const bytes = hex(`
    ffff                  # transactional_id null
    ffff                  # acks -1
    00007530              # timeout_ms 30000
    00000001 0001 74      # 1 topic "t"
    00000001 00000002     # 1 partition, index 2
    0000000a 00112233445566778899   # records (NULLABLE_BYTES)
  `);
  assertRequest(produce, 7, bytes, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: "t", partitionData: [{ index: 2, records }] }],
  });
});

test("Produce v7 response", () => {
  const bytes = b()
    .arr(1)
    .str("t")
    .arr(1)
    .i32(2)
    .i16(0)
    .i64(5_000_000_000) // base_offset beyond 32 bits
    .i64(-1)
    .i64(0)
    .i32(0).buf;
  assertResponse(produce, 7, bytes, {
    responses: [
      {
        name: "t",
        partitionResponses: [
          { index: 2, errorCode: 0, baseOffset: 5_000_000_000, logAppendTimeMs: -1, logStartOffset: 0 },
        ],
      },
    ],
    throttleTimeMs: 0,
  });
});

test("Produce v3 response has no log_start_offset", () => {
  const bytes = hex("00000001 0001 74 00000001 00000002 0000 000000000000000a ffffffffffffffff 00000000");
  assertResponse(produce, 3, bytes, {
    responses: [
      {
        name: "t",
        partitionResponses: [
          { index: 2, errorCode: 0, baseOffset: 10, logAppendTimeMs: -1, logStartOffset: 0 },
        ],
      },
    ],
    throttleTimeMs: 0,
  });
});
