/**
 * Cross-checks the codec against kafkajs 2.2.4's own encoders and decoders at the versions kafkajs
 * selects: every request kafkajs builds must decode to the intended fields, and every response the
 * broker encodes must decode in kafkajs to the intended values.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { decodeRequest, encodeResponse } from "../../../../engines/log/protocol/header.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { checkBatch } from "../../../../engines/log/records/record-batch.ts";

const require = createRequire(import.meta.url);
type KRequest = { apiKey: number; apiVersion: number; encode: () => Promise<unknown> };
const frame = require("kafkajs/src/protocol/request.js") as (a: {
  correlationId: number;
  clientId: string;
  request: KRequest;
}) => Promise<{ buffer: Buffer }>;
const req = (api: string, v: number) =>
  require(`kafkajs/src/protocol/requests/${api}/v${v}/request.js`) as (args: unknown) => KRequest;
const res = (api: string, v: number) =>
  require(`kafkajs/src/protocol/requests/${api}/v${v}/response.js`) as {
    decode: (b: Buffer) => Promise<Record<string, unknown>>;
    parse: (d: unknown) => Promise<Record<string, unknown>>;
  };

async function roundTrip(api: string, v: number, args: unknown) {
  const request = req(api, v)(args);
  const { buffer } = await frame({ correlationId: 77, clientId: "cid", request });
  assert.equal(buffer.readInt32BE(0), buffer.length - 4);
  const decoded = decodeRequest(buffer.subarray(4));
  assert.equal(decoded.header.apiKey, request.apiKey);
  assert.equal(decoded.header.apiVersion, v);
  assert.equal(decoded.header.correlationId, 77);
  assert.equal(decoded.header.clientId, "cid");
  return decoded.body;
}

async function kafkajsDecode(api: string, v: number, apiKey: number, body: Record<string, unknown>) {
  const out = Buffer.concat(encodeResponse(apiKey, v, 5, body));
  assert.equal(out.readInt32BE(0), out.length - 4);
  assert.equal(out.readInt32BE(4), 5);
  return res(api, v).decode(out.subarray(8));
}

test("Produce v7: kafkajs batches pass CRC-32C validation and responses parse", async () => {
  const body = (await roundTrip("produce", 7, {
    acks: -1,
    timeout: 1000,
    compression: 0,
    topicData: [
      {
        topic: "t",
        partitions: [{ partition: 1, firstSequence: 0, messages: [{ key: "k", value: "v", timestamp: 1 }] }],
      },
    ],
  })) as { acks: number; topicData: Array<{ name: string; partitionData: Array<{ records: Buffer }> }> };
  assert.equal(body.acks, -1);
  const records = body.topicData[0]!.partitionData[0]!.records;
  const check = checkBatch(records, 0);
  assert.ok(check.ok, JSON.stringify(check));
  assert.equal(check.size, records.length);
  const decoded = await kafkajsDecode("produce", 7, 0, {
    responses: [
      {
        name: "t",
        partitionResponses: [
          { index: 1, errorCode: 0, baseOffset: 12, logAppendTimeMs: -1, logStartOffset: 0 },
        ],
      },
    ],
    throttleTimeMs: 0,
  });
  const topics = decoded.topics as Array<{ partitions: Array<{ baseOffset: string }> }>;
  assert.equal(topics[0]!.partitions[0]!.baseOffset, "12");
});

test("Fetch v11: request fields and kafkajs decodes our records", async () => {
  const body = (await roundTrip("fetch", 11, {
    replicaId: -1,
    maxWaitTime: 100,
    minBytes: 1,
    maxBytes: 1000,
    topics: [{ topic: "t", partitions: [{ partition: 0, fetchOffset: "3", maxBytes: 500 }] }],
  })) as {
    maxWaitMs: number;
    isolationLevel: number;
    topics: Array<{ partitions: Array<{ fetchOffset: number }> }>;
  };
  assert.equal(body.maxWaitMs, 100);
  assert.equal(body.isolationLevel, 1);
  assert.equal(body.topics[0]!.partitions[0]!.fetchOffset, 3);
  const batch = buildBatch([{ value: Buffer.from("a") }, { value: Buffer.from("b") }], { baseOffset: 3 });
  const decoded = await kafkajsDecode("fetch", 11, 1, {
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
            highWatermark: 5,
            lastStableOffset: 5,
            logStartOffset: 0,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: batch,
          },
        ],
      },
    ],
  });
  const responses = decoded.responses as Array<{
    partitions: Array<{ highWatermark: string; messages: Array<{ offset: string; value: Buffer }> }>;
  }>;
  const p = responses[0]!.partitions[0]!;
  assert.equal(p.highWatermark, "5");
  assert.deepEqual(
    p.messages.map((m) => [m.offset, m.value.toString()]),
    [
      ["3", "a"],
      ["4", "b"],
    ],
  );
});

test("Metadata v6, ApiVersions v2, ListOffsets v3, FindCoordinator v2", async () => {
  const md = await roundTrip("metadata", 6, { topics: ["a", "b"], allowAutoTopicCreation: false });
  // Fields of later versions decode to their defaults.
  assert.deepEqual(md, {
    topics: [{ name: "a" }, { name: "b" }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const mdr = await kafkajsDecode("metadata", 6, 3, {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: "h", port: 1234, rack: null }],
    clusterId: "c",
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: "a",
        isInternal: false,
        partitions: [
          {
            errorCode: 0,
            partitionIndex: 0,
            leaderId: 1,
            replicaNodes: [1],
            isrNodes: [1],
            offlineReplicas: [],
          },
        ],
      },
    ],
  });
  assert.equal((mdr.brokers as Array<{ port: number }>)[0]!.port, 1234);
  assert.equal(mdr.controllerId, 1);

  assert.deepEqual(await roundTrip("apiVersions", 2, {}), {
    clientSoftwareName: "",
    clientSoftwareVersion: "",
  });
  const av = await kafkajsDecode("apiVersions", 2, 18, {
    errorCode: 0,
    apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 7 }],
    throttleTimeMs: 0,
  });
  assert.deepEqual(av.apiVersions, [{ apiKey: 0, minVersion: 3, maxVersion: 7 }]);

  const lo = await roundTrip("listOffsets", 3, {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ topic: "t", partitions: [{ partition: 2, timestamp: -2 }] }],
  });
  assert.deepEqual(lo, {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ name: "t", partitions: [{ partitionIndex: 2, currentLeaderEpoch: -1, timestamp: -2 }] }],
  });

  const fc = await roundTrip("findCoordinator", 2, { coordinatorKey: "g", coordinatorType: 0 });
  assert.deepEqual(fc, { key: "g", keyType: 0, coordinatorKeys: [] });
  const fcr = await kafkajsDecode("findCoordinator", 2, 10, {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: 1,
    host: "h",
    port: 99,
  });
  assert.equal((fcr.coordinator as { port: number }).port, 99);
});

test("group APIs: JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3, OffsetCommit v5, OffsetFetch v4", async () => {
  const jg = (await roundTrip("joinGroup", 5, {
    groupId: "g",
    sessionTimeout: 30000,
    rebalanceTimeout: 60000,
    memberId: "",
    protocolType: "consumer",
    groupProtocols: [{ name: "RoundRobinAssigner", metadata: Buffer.from("m") }],
  })) as { rebalanceTimeoutMs: number; protocols: Array<{ name: string }> };
  assert.equal(jg.rebalanceTimeoutMs, 60000);
  assert.equal(jg.protocols[0]!.name, "RoundRobinAssigner");
  const jgr = await kafkajsDecode("joinGroup", 5, 11, {
    throttleTimeMs: 0,
    errorCode: 0,
    generationId: 2,
    protocolName: "RoundRobinAssigner",
    leader: "m1",
    memberId: "m1",
    members: [{ memberId: "m1", groupInstanceId: null, metadata: Buffer.from("x") }],
  });
  assert.equal(jgr.generationId, 2);
  assert.equal((jgr.members as Array<{ memberMetadata: Buffer }>)[0]!.memberMetadata.toString(), "x");

  const sg = await roundTrip("syncGroup", 3, {
    groupId: "g",
    generationId: 2,
    memberId: "m1",
    groupAssignment: [{ memberId: "m1", memberAssignment: Buffer.from("a") }],
  });
  assert.deepEqual(sg, {
    groupId: "g",
    generationId: 2,
    memberId: "m1",
    groupInstanceId: null,
    assignments: [{ memberId: "m1", assignment: Buffer.from("a") }],
  });
  const sgr = await kafkajsDecode("syncGroup", 3, 14, {
    throttleTimeMs: 0,
    errorCode: 0,
    assignment: Buffer.from("z"),
  });
  assert.equal((sgr.memberAssignment as Buffer).toString(), "z");

  const hb = await roundTrip("heartbeat", 3, { groupId: "g", groupGenerationId: 2, memberId: "m1" });
  assert.deepEqual(hb, { groupId: "g", generationId: 2, memberId: "m1", groupInstanceId: null });

  const lg = await roundTrip("leaveGroup", 3, { groupId: "g", members: [{ memberId: "m1" }] });
  assert.deepEqual(lg, { groupId: "g", memberId: "", members: [{ memberId: "m1", groupInstanceId: null }] });

  const oc = await roundTrip("offsetCommit", 5, {
    groupId: "g",
    groupGenerationId: 2,
    memberId: "m1",
    topics: [{ topic: "t", partitions: [{ partition: 0, offset: "10" }] }],
  });
  assert.deepEqual(oc, {
    groupId: "g",
    generationId: 2,
    memberId: "m1",
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [
      {
        name: "t",
        partitions: [
          { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ],
  });

  const of = await roundTrip("offsetFetch", 4, {
    groupId: "g",
    topics: [{ topic: "t", partitions: [{ partition: 0 }] }],
  });
  assert.deepEqual(of, {
    groupId: "g",
    topics: [{ name: "t", partitionIndexes: [0] }],
    groups: [],
    requireStable: false,
  });
  const ofr = await kafkajsDecode("offsetFetch", 4, 9, {
    throttleTimeMs: 0,
    topics: [
      { name: "t", partitions: [{ partitionIndex: 0, committedOffset: 10, metadata: null, errorCode: 0 }] },
    ],
    errorCode: 0,
  });
  const responses = ofr.responses as Array<{ partitions: Array<{ offset: string }> }>;
  assert.equal(responses[0]!.partitions[0]!.offset, "10");
});

test("DescribeGroups v2 and ListGroups v2 decode in kafkajs", async () => {
  assert.deepEqual(await roundTrip("describeGroups", 2, { groupIds: ["g1"] }), { groups: ["g1"] });
  const dg = await kafkajsDecode("describeGroups", 2, 15, {
    throttleTimeMs: 0,
    groups: [
      {
        errorCode: 0,
        groupId: "g1",
        groupState: "Stable",
        protocolType: "consumer",
        protocolData: "RoundRobinAssigner",
        members: [
          {
            memberId: "m",
            clientId: "c",
            clientHost: "/127.0.0.1",
            memberMetadata: Buffer.from("md"),
            memberAssignment: Buffer.from("as"),
          },
        ],
      },
    ],
  });
  const g = (dg.groups as Array<{ state: string; members: Array<{ clientHost: string }> }>)[0]!;
  assert.equal(g.state, "Stable");
  assert.equal(g.members[0]!.clientHost, "/127.0.0.1");
  assert.deepEqual(await roundTrip("listGroups", 2, {}), {});
  const lg = await kafkajsDecode("listGroups", 2, 16, {
    throttleTimeMs: 0,
    errorCode: 0,
    groups: [{ groupId: "g1", protocolType: "consumer" }],
  });
  assert.deepEqual(lg.groups, [{ groupId: "g1", protocolType: "consumer" }]);
});

test("admin APIs: CreateTopics v3, DeleteTopics v1", async () => {
  const ct = await roundTrip("createTopics", 3, {
    topics: [
      { topic: "t", numPartitions: 6, replicationFactor: 1, configEntries: [{ name: "a", value: "b" }] },
    ],
    validateOnly: false,
    timeout: 1000,
  });
  assert.deepEqual(ct, {
    topics: [
      {
        name: "t",
        numPartitions: 6,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: "a", value: "b" }],
      },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  const ctr = await kafkajsDecode("createTopics", 3, 19, {
    throttleTimeMs: 0,
    topics: [{ name: "t", errorCode: 36, errorMessage: "exists" }],
  });
  assert.deepEqual(ctr.topicErrors, [{ topic: "t", errorCode: 36, errorMessage: "exists" }]);

  const dt = await roundTrip("deleteTopics", 1, { topics: ["x"], timeout: 100 });
  assert.deepEqual(dt, { topicNames: ["x"], timeoutMs: 100 });
});
