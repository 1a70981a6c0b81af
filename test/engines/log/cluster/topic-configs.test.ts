/**
 * Per-topic configs on a real 3-broker cluster, driven by kafkajs's admin (CreateTopics with
 * configEntries, DescribeConfigs, AlterConfigs) and the raw protocol where kafkajs has no API
 * (IncrementalAlterConfigs) or hides error codes (Produce): a topic with min.insync.replicas=3
 * refuses acks=all (19) once a broker is down while a topic with 2 still takes it; lowering the
 * topic's value acts on the next produce; an unknown config is INVALID_CONFIG (40) with a message;
 * the configs live in the controller quorum's image, so they survive the active controller's
 * death (snapshots every few records here, so the new controller restores them from a snapshot).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { fastCluster, partitionState, spawnCluster, type TestCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers are checked field by field
type Any = Record<string, any>;
type After = { after: (f: () => unknown) => void };
/** kafkajs's TOPIC (the enum is not a named ESM export of its CommonJS build). */
const TOPIC = 2 as ConfigResourceTypes;

async function call(t: After, port: number, key: number, version: number, body: Record<string, unknown>) {
  const c = await RawClient.connect(port);
  defer(t, () => c.close());
  try {
    return (await c.request(key, version, body)) as Any;
  } finally {
    c.close();
  }
}

/** acks=all Produce of one record to partition 0 of `topic` at its current leader; the error code. */
async function produceAll(t: After, cluster: TestCluster, topic: string): Promise<number> {
  const leader = (await partitionState(cluster, topic)).leaderId as number;
  const r = await call(t, cluster.node(leader).port, ApiKey.Produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 3000,
    topicData: [
      { name: topic, partitionData: [{ index: 0, records: buildBatch([{ value: Buffer.from("v") }]) }] },
    ],
  });
  return r.responses[0].partitionResponses[0].errorCode;
}

async function describe(
  admin: ReturnType<Kafka["admin"]>,
  topic: string,
): Promise<Record<string, [string, number]>> {
  const r = await admin.describeConfigs({
    resources: [{ type: TOPIC, name: topic }],
    includeSynonyms: false,
  });
  const out: Record<string, [string, number]> = {};
  for (const e of r.resources[0]!.configEntries) out[e.configName] = [e.configValue, e.configSource];
  return out;
}

test("topic configs: per-topic min.insync.replicas, describe/alter round trips, kept across controller failover", async (t) => {
  const cluster = await spawnCluster(t, tempDir(t), 3, {
    ...fastCluster,
    "metadata.log.max.records.between.snapshots": "5",
  });
  const kafka = new Kafka({
    clientId: "topic-configs-test",
    brokers: cluster.bootstrap,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 10 },
  });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());

  assert.equal(
    await admin.createTopics({
      topics: [
        {
          topic: "strict",
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [{ name: "min.insync.replicas", value: "3" }],
        },
        {
          topic: "loose",
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [{ name: "min.insync.replicas", value: "2" }],
        },
      ],
      waitForLeaders: true,
    }),
    true,
  );
  await assert.rejects(
    admin.createTopics({
      topics: [
        { topic: "typo", replicationFactor: 3, configEntries: [{ name: "min.insync.replicaz", value: "2" }] },
      ],
    }),
    (e: Any) => {
      const inner = e.errors?.[0] ?? e;
      assert.equal(inner.type, "INVALID_CONFIG");
      return true;
    },
  );
  const badValue = await call(t, cluster.node(1).port, ApiKey.CreateTopics, 4, {
    topics: [
      {
        name: "bad",
        numPartitions: 1,
        replicationFactor: 3,
        assignments: [],
        configs: [{ name: "min.insync.replicas", value: "0" }],
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  assert.equal(badValue.topics[0].errorCode, 40);
  assert.match(badValue.topics[0].errorMessage, /min\.insync\.replicas: must be at least 1/);
  // CreateTopics v5+ answers what was created: partitions, replication factor, every config.
  const v5 = await call(t, cluster.node(2).port, ApiKey.CreateTopics, 5, {
    topics: [
      {
        name: "v5",
        numPartitions: 2,
        replicationFactor: 3,
        assignments: [],
        configs: [{ name: "retention.ms", value: "60000" }],
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  const made = v5.topics[0];
  assert.deepEqual([made.errorCode, made.numPartitions, made.replicationFactor], [0, 2, 3]);
  const created = Object.fromEntries(made.configs.map((c: Any) => [c.name, [c.value, c.configSource]]));
  assert.deepEqual(created["retention.ms"], ["60000", 1]);
  assert.deepEqual(created["min.insync.replicas"], ["2", 4]);

  // DescribeConfigs: the topic's own value (source 1, DYNAMIC_TOPIC_CONFIG); the rest from the
  // broker (min.insync=2 is set with --set: 4, STATIC_BROKER_CONFIG; untouched keys: 5, DEFAULT).
  const strict = await describe(admin, "strict");
  assert.deepEqual(strict["min.insync.replicas"], ["3", 1]);
  assert.deepEqual(strict["unclean.leader.election.enable"], ["false", 5]);
  assert.deepEqual((await describe(admin, "loose"))["min.insync.replicas"], ["2", 1]);

  assert.equal(await produceAll(t, cluster, "strict"), 0, "all three in sync: acks=all works");
  const strictLeader = (await partitionState(cluster, "strict")).leaderId as number;
  const looseLeader = (await partitionState(cluster, "loose")).leaderId as number;
  // Stop a broker that leads neither topic, so both keep their leaders and lose one ISR member.
  const victim =
    [1, 2, 3].find((b) => b !== strictLeader && b !== looseLeader) ??
    [1, 2, 3].find((b) => b !== strictLeader)!;
  await cluster.node(victim).stop("SIGKILL");
  await waitFor(
    async () =>
      (await partitionState(cluster, "strict")).isrNodes.length === 2 &&
      (await partitionState(cluster, "loose")).isrNodes.length === 2,
    10_000,
    "the stopped broker to leave both ISRs",
  );
  assert.equal(
    await produceAll(t, cluster, "strict"),
    19,
    "min.insync.replicas=3, ISR 2: NOT_ENOUGH_REPLICAS",
  );
  assert.equal(await produceAll(t, cluster, "loose"), 0, "min.insync.replicas=2, ISR 2: acks=all works");

  // AlterConfigs (kafkajs): the set replaces the topic's configs; acts on the next produce.
  await admin.alterConfigs({
    resources: [
      {
        type: TOPIC,
        name: "strict",
        configEntries: [{ name: "min.insync.replicas", value: "2" }],
      },
    ],
    validateOnly: false,
  });
  assert.deepEqual((await describe(admin, "strict"))["min.insync.replicas"], ["2", 1]);
  assert.equal(await produceAll(t, cluster, "strict"), 0, "lowered to 2: acks=all works on the next produce");

  await cluster.node(victim).start();
  await waitFor(
    async () => (await partitionState(cluster, "strict")).isrNodes.length === 3,
    15_000,
    "the broker to rejoin the ISR",
  );

  // IncrementalAlterConfigs (raw, v1 = flexible): SET one key, leave the other.
  const inc = await call(t, cluster.node(1).port, ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: 2,
        resourceName: "strict",
        configs: [{ name: "unclean.leader.election.enable", configOperation: 0, value: "true" }],
      },
    ],
    validateOnly: false,
  });
  assert.equal(inc.responses[0].errorCode, 0);

  // Kill the active controller; the new one holds (and the brokers still describe) the configs.
  const active = cluster.nodes
    .map((n) => ({
      n,
      term: Math.max(
        -1,
        ...[...n.stderr.matchAll(/active controller \(term (\d+)\)/g)].map((m) => Number(m[1])),
      ),
    }))
    .sort((a, b) => b.term - a.term)[0]!.n;
  await active.stop("SIGKILL");
  const survivor = cluster.nodes.find((n) => n !== active)!;
  // An incremental change is computed against the new controller's image: the earlier keys must be there.
  await waitFor(
    async () => {
      const r = await call(t, survivor.port, ApiKey.IncrementalAlterConfigs, 0, {
        resources: [
          {
            resourceType: 2,
            resourceName: "strict",
            configs: [{ name: "retention.ms", configOperation: 0, value: "60000" }],
          },
        ],
        validateOnly: false,
      });
      return r.responses[0].errorCode === 0;
    },
    10_000,
    "a new active controller to take the change",
  );
  const after = await call(t, survivor.port, ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: 2, resourceName: "strict", configurationKeys: null }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  const byName = Object.fromEntries(after.results[0].configs.map((c: Any) => [c.name, c]));
  assert.equal(byName["min.insync.replicas"].value, "2");
  assert.equal(byName["min.insync.replicas"].configSource, 1);
  assert.deepEqual(
    byName["min.insync.replicas"].synonyms.map((s: Any) => [s.name, s.value, s.source]),
    [
      ["min.insync.replicas", "2", 1],
      ["min.insync.replicas", "2", 4],
    ],
  );
  assert.equal(byName["unclean.leader.election.enable"].value, "true");
  assert.equal(byName["retention.ms"].value, "60000");
  assert.ok(
    survivor.stderr.includes("snapshot") || cluster.nodes.some((n) => /snapshot/.test(n.stderr)),
    "the controllers took metadata snapshots on the way",
  );
});
