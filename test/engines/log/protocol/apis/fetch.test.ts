import { test } from "node:test";
import { fetch } from "../../../../../engines/log/protocol/apis/fetch.ts";
import { assertRequest, assertResponse, b, hex } from "../../helpers/bytes.ts";

test("Fetch v11 request", () => {
  const bytes = b()
    .i32(-1) // replica_id
    .i32(5000) // max_wait_ms
    .i32(1) // min_bytes
    .i32(10485760) // max_bytes
    .i8(1) // isolation_level READ_COMMITTED
    .i32(0) // session_id
    .i32(-1) // session_epoch
    .arr(1)
    .str("t")
    .arr(1)
    .i32(0) // partition
    .i32(-1) // current_leader_epoch
    .i64(42) // fetch_offset
    .i64(-1) // log_start_offset
    .i32(1048576) // partition_max_bytes
    .arr(0) // forgotten_topics_data
    .str("").buf; // rack_id
  assertRequest(fetch, 11, bytes, {
    replicaId: -1,
    maxWaitMs: 5000,
    minBytes: 1,
    maxBytes: 10485760,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: "t",
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 42,
            logStartOffset: -1,
            partitionMaxBytes: 1048576,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: "",
  });
});

test("Fetch v4 request: no sessions, leader epoch, log start offset or rack", () => {
  const bytes = hex(`
    ffffffff 000001f4 00000001 00100000 00     # replica, wait 500, min 1, max 1 MiB, read_uncommitted
    00000001 0001 74 00000001 00000003         # topic "t", partition 3
    0000000000000007 00010000                  # fetch_offset 7, partition_max_bytes 65536
  `);
  assertRequest(fetch, 4, bytes, {
    replicaId: -1,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 1048576,
    isolationLevel: 0,
    topics: [
      {
        topic: "t",
        partitions: [
          {
            partition: 3,
            fetchOffset: 7,
            partitionMaxBytes: 65536,
            currentLeaderEpoch: -1,
            logStartOffset: -1,
          },
        ],
      },
    ],
    sessionId: 0,
    sessionEpoch: -1,
    forgottenTopicsData: [],
    rackId: "",
  });
});

test("Fetch v11 response carries records verbatim", () => {
  const records = hex("deadbeef");
  const bytes = b()
    .i32(0)
    .i16(0)
    .i32(0)
    .arr(1)
    .str("t")
    .arr(1)
    .i32(0) // partition_index
    .i16(0)
    .i64(10) // high_watermark
    .i64(10) // last_stable_offset
    .i64(0) // log_start_offset
    .arr(-1) // aborted_transactions null
    .i32(-1) // preferred_read_replica
    .bytes(records).buf;
  assertResponse(fetch, 11, bytes, {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: "t",
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 10,
            lastStableOffset: 10,
            logStartOffset: 0,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records,
          },
        ],
      },
    ],
  });
});
