import { test } from "node:test";
import { metadata } from "../../../../../engines/log/protocol/apis/metadata.ts";
import { assertRequest, assertResponse, b, hex } from "../../helpers/bytes.ts";

test("Metadata v6 request: nullable topic array + allow_auto_topic_creation", () => {
  assertRequest(metadata, 6, hex("00000001 0003 616263 01"), {
    topics: [{ name: "abc" }],
    allowAutoTopicCreation: true,
  });
  // kafkajs sends null (−1) for "all topics".
  assertRequest(metadata, 6, hex("ffffffff 00"), { topics: null, allowAutoTopicCreation: false });
});

test("Metadata v0 request has no auto-create flag (defaults to true)", () => {
  assertRequest(metadata, 0, hex("00000000"), { topics: [], allowAutoTopicCreation: true });
});

const partition = {
  errorCode: 0,
  partitionIndex: 1,
  leaderId: 7,
  replicaNodes: [7],
  isrNodes: [7],
  offlineReplicas: [],
};

test("Metadata v6 response", () => {
  const bytes = b()
    .i32(0) // throttle_time_ms
    .arr(1) // brokers
    .i32(7)
    .str("h")
    .i32(9092)
    .str(null) // rack
    .str("c1") // cluster_id
    .i32(7) // controller_id
    .arr(1) // topics
    .i16(0)
    .str("t")
    .bool(false)
    .arr(1) // partitions
    .i16(0)
    .i32(1)
    .i32(7)
    .arr(1)
    .i32(7)
    .arr(1)
    .i32(7)
    .arr(0).buf;
  assertResponse(metadata, 6, bytes, {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 7, host: "h", port: 9092, rack: null }],
    clusterId: "c1",
    controllerId: 7,
    topics: [{ errorCode: 0, name: "t", isInternal: false, partitions: [partition] }],
  });
});

test("Metadata v0 response: no throttle, rack, cluster, controller, is_internal or offline replicas", () => {
  const bytes = hex(`
    00000001 00000007 0001 68 00002384          # brokers: node 7 "h" 9092
    00000001 0000 0001 74                       # topics: error 0, "t"
    00000001 0000 00000001 00000007             # partition 1, leader 7
    00000001 00000007 00000001 00000007         # replicas [7] isr [7]
  `);
  assertResponse(metadata, 0, bytes, {
    brokers: [{ nodeId: 7, host: "h", port: 9092, rack: null }],
    topics: [{ errorCode: 0, name: "t", isInternal: false, partitions: [partition] }],
    throttleTimeMs: 0,
    clusterId: null,
    controllerId: 0,
  });
});
