/**
 * Well-formed request bodies for fuzzing: one per API version kafkajs uses (`samples`), and one per
 * version added for librdkafka and @platformatic/kafka (`newSamples`: the flexible versions,
 * InitProducerId, Produce v0–2, the reassignment APIs, ElectLeaders).
 */
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";

export interface Sample {
  apiKey: number;
  apiVersion: number;
  body: Record<string, unknown>;
}

const batch = buildBatch([{ key: Buffer.from("k"), value: Buffer.from("value") }], { baseTimestamp: 1000 });

export const samples: Sample[] = [
  { apiKey: 18, apiVersion: 2, body: {} },
  { apiKey: 18, apiVersion: 3, body: { clientSoftwareName: "fuzz", clientSoftwareVersion: "1" } },
  { apiKey: 3, apiVersion: 6, body: { topics: [{ name: "fz" }], allowAutoTopicCreation: true } },
  {
    apiKey: 0,
    apiVersion: 7,
    body: {
      transactionalId: null,
      acks: 1,
      timeoutMs: 100,
      topicData: [{ name: "fz", partitionData: [{ index: 0, records: batch }] }],
    },
  },
  {
    apiKey: 1,
    apiVersion: 11,
    body: {
      replicaId: -1,
      maxWaitMs: 50,
      minBytes: 1,
      maxBytes: 1000,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: "fz",
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0,
              logStartOffset: -1,
              partitionMaxBytes: 1000,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    },
  },
  {
    apiKey: 2,
    apiVersion: 3,
    body: {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: "fz", partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    },
  },
  { apiKey: 10, apiVersion: 2, body: { key: "g", keyType: 0 } },
  {
    apiKey: 11,
    apiVersion: 5,
    body: {
      groupId: "g",
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: 100,
      memberId: "",
      groupInstanceId: null,
      protocolType: "consumer",
      protocols: [{ name: "rr", metadata: Buffer.from("m") }],
    },
  },
  {
    apiKey: 14,
    apiVersion: 3,
    body: { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null, assignments: [] },
  },
  {
    apiKey: 12,
    apiVersion: 3,
    body: { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null },
  },
  { apiKey: 13, apiVersion: 3, body: { groupId: "g", members: [{ memberId: "m", groupInstanceId: null }] } },
  {
    apiKey: 8,
    apiVersion: 5,
    body: {
      groupId: "g",
      generationId: -1,
      memberId: "",
      topics: [
        { name: "fz", partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
      ],
    },
  },
  { apiKey: 9, apiVersion: 4, body: { groupId: "g", topics: [{ name: "fz", partitionIndexes: [0] }] } },
  {
    apiKey: 19,
    apiVersion: 3,
    body: {
      topics: [{ name: "fz2", numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 100,
      validateOnly: false,
    },
  },
  { apiKey: 20, apiVersion: 1, body: { topicNames: ["fz2"], timeoutMs: 100 } },
];

const idempotent = buildBatch([{ value: Buffer.from("v") }], {
  producerId: 0,
  producerEpoch: 0,
  baseSequence: 0,
});

export const newSamples: Sample[] = [
  {
    apiKey: 3,
    apiVersion: 9,
    body: {
      topics: [{ name: "fz" }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
  },
  {
    apiKey: 0,
    apiVersion: 2,
    body: {
      acks: 1,
      timeoutMs: 100,
      topicData: [{ name: "fz", partitionData: [{ index: 0, records: batch }] }],
    },
  },
  {
    apiKey: 0,
    apiVersion: 7,
    body: {
      transactionalId: null,
      acks: -1,
      timeoutMs: 100,
      topicData: [{ name: "fz", partitionData: [{ index: 0, records: idempotent }] }],
    },
  },
  {
    apiKey: 1,
    apiVersion: 12,
    body: {
      replicaId: -1,
      maxWaitMs: 50,
      minBytes: 1,
      maxBytes: 1000,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: "fz",
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1000,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    },
  },
  {
    apiKey: 2,
    apiVersion: 5,
    body: {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: "fz", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }],
    },
  },
  { apiKey: 10, apiVersion: 4, body: { keyType: 0, coordinatorKeys: ["g", "h"] } },
  {
    apiKey: 11,
    apiVersion: 6,
    body: {
      groupId: "g",
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: 100,
      memberId: "",
      groupInstanceId: null,
      protocolType: "consumer",
      protocols: [{ name: "rr", metadata: Buffer.from("m") }],
    },
  },
  {
    apiKey: 14,
    apiVersion: 4,
    body: { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null, assignments: [] },
  },
  {
    apiKey: 12,
    apiVersion: 4,
    body: { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null },
  },
  { apiKey: 13, apiVersion: 4, body: { groupId: "g", members: [{ memberId: "m", groupInstanceId: null }] } },
  {
    apiKey: 8,
    apiVersion: 8,
    body: {
      groupId: "g",
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [
        {
          name: "fz",
          partitions: [
            { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    },
  },
  {
    apiKey: 9,
    apiVersion: 8,
    body: {
      groups: [{ groupId: "g", topics: [{ name: "fz", partitionIndexes: [0] }] }],
      requireStable: false,
    },
  },
  {
    apiKey: 19,
    apiVersion: 7,
    body: {
      topics: [{ name: "fz3", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 100,
      validateOnly: true,
    },
  },
  { apiKey: 22, apiVersion: 1, body: { transactionalId: null, transactionTimeoutMs: 1000 } },
  {
    apiKey: 22,
    apiVersion: 4,
    body: { transactionalId: null, transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 },
  },
  {
    apiKey: 45,
    apiVersion: 0,
    body: { timeoutMs: 1000, topics: [{ name: "fz", partitions: [{ partitionIndex: 0, replicas: [1] }] }] },
  },
  { apiKey: 46, apiVersion: 0, body: { timeoutMs: 1000, topics: null } },
  {
    apiKey: 43,
    apiVersion: 0,
    body: { topicPartitions: [{ topic: "fz", partitions: [0] }], timeoutMs: 1000 },
  },
  {
    apiKey: 43,
    apiVersion: 1,
    body: { electionType: 1, topicPartitions: [{ topic: "fz", partitions: [0, 1] }], timeoutMs: 1000 },
  },
  { apiKey: 43, apiVersion: 2, body: { electionType: 0, topicPartitions: null, timeoutMs: 1000 } },
  { apiKey: 42, apiVersion: 0, body: { groupsNames: ["fz-none"] } },
  { apiKey: 42, apiVersion: 2, body: { groupsNames: ["fz-none", ""] } },
];

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A randomly damaged copy of `frame` (size prefix kept consistent unless `keepSize` is false). */
export function mutate(frame: Buffer, r: () => number, fixSize = true): Buffer {
  let out = Buffer.from(frame);
  const kind = Math.floor(r() * 5);
  if (kind === 0) {
    for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) {
      const at = 4 + Math.floor(r() * (out.length - 4));
      out[at] = Math.floor(r() * 256);
    }
  } else if (kind === 1) {
    out = out.subarray(0, 4 + Math.floor(r() * (out.length - 4)));
  } else if (kind === 2) {
    const extra = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 32) }, () => Math.floor(r() * 256)));
    out = Buffer.concat([out, extra]);
  } else if (kind === 3) {
    // Extreme values in a random aligned int16/int32 slot (lengths, counts, versions).
    const at = 4 + Math.floor(r() * Math.max(1, out.length - 8));
    const extremes = [0, -1, 0x7fffffff, -0x80000000, 0x7fff, -0x8000, 1];
    const v = extremes[Math.floor(r() * extremes.length)]!;
    if (r() < 0.5 && at + 2 <= out.length) out.writeInt16BE(Math.max(-0x8000, Math.min(0x7fff, v)), at);
    else if (at + 4 <= out.length) out.writeInt32BE(v, at);
  } else if (out.length >= 8) {
    // Swap in another API key or version.
    out.writeInt16BE(Math.floor(r() * 70) - 2, 4 + (r() < 0.5 ? 0 : 2));
  }
  if (fixSize && out.length >= 4) out.writeInt32BE(out.length - 4, 0);
  return out;
}
