/**
 * A consumer group across a coordinator move, on three broker processes. Kafka's coordinator
 * writes each completed rebalance (generation, leader, members, assignments) to
 * `__consumer_offsets` and its successor loads it, so members of that generation go on
 * heartbeating and committing at the new coordinator, and a follower that rejoins gets its
 * generation back without a rebalance. Before, our successor knew no members: every heartbeat got
 * UNKNOWN_MEMBER_ID (25) and the whole group had to join again as new members.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { fastCluster, spawnCluster, type TestCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

const GROUP = "moving";
const protocols = [{ name: "range", metadata: Buffer.from("subscription") }];

type Reply = Record<string, unknown> & { errorCode: number };

/** The coordinator a running broker names for GROUP (retried while the offsets topic is made). */
async function findCoordinator(cluster: TestCluster, not = -1): Promise<{ nodeId: number; port: number }> {
  let found = { nodeId: -1, port: -1 };
  await waitFor(
    async () => {
      for (const n of cluster.nodes) {
        if (!n.proc || n.proc.exitCode !== null || n.proc.signalCode !== null) continue;
        const c = await RawClient.connect(n.port).catch(() => undefined);
        if (!c) continue;
        try {
          const r = (await c.request(ApiKey.FindCoordinator, 2, { key: GROUP, keyType: 0 })) as Reply & {
            nodeId: number;
            port: number;
          };
          if (r.errorCode === 0 && r.nodeId !== not) {
            found = { nodeId: r.nodeId, port: r.port };
            return true;
          }
        } finally {
          c.close();
        }
      }
      return false;
    },
    15_000,
    "a group coordinator",
  );
  return found;
}

/** Sends `body` until the answer is not COORDINATOR_LOAD_IN_PROGRESS (14), which clients retry. */
async function untilLoaded(c: RawClient, apiKey: number, version: number, body: Record<string, unknown>) {
  let r = (await c.request(apiKey, version, body)) as Reply;
  for (let i = 0; r.errorCode === 14 && i < 100; i++) {
    await new Promise((res) => setTimeout(res, 50));
    r = (await c.request(apiKey, version, body)) as Reply;
  }
  return r;
}

const join = (memberId: string) => ({
  groupId: GROUP,
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 10_000,
  memberId,
  groupInstanceId: null,
  protocolType: "consumer",
  protocols,
});

test("SIGTERM of the group coordinator: members keep their generation and assignments at its successor", async (t) => {
  // A one-second first-join delay, so both members land in the first generation.
  const cluster = await spawnCluster(t, tempDir(t), 3, {
    ...fastCluster,
    "group.initial.rebalance.delay.ms": "1000",
  });
  const admin = new Kafka({
    clientId: "admin",
    brokers: cluster.bootstrap,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: "t", numPartitions: 1, replicationFactor: 3 }] });
  const before = await findCoordinator(cluster);
  // One connection per member: a broker answers one request per connection at a time, and a
  // JoinGroup waits for the whole group.
  const conns = [await RawClient.connect(before.port), await RawClient.connect(before.port)];
  defer(t, () => {
    for (const c of conns) c.close();
  });

  // Two members: the first JoinGroup of each only hands out a member id (MEMBER_ID_REQUIRED, 79).
  const ids: string[] = [];
  for (const c of conns) {
    const r = (await untilLoaded(c, ApiKey.JoinGroup, 5, join(""))) as Reply & { memberId: string };
    assert.equal(r.errorCode, 79);
    ids.push(r.memberId);
  }
  const joined = (await Promise.all(
    ids.map((id, i) => conns[i]!.request(ApiKey.JoinGroup, 5, join(id))),
  )) as Array<Reply & { generationId: number; leader: string; memberId: string }>;
  assert.deepEqual(
    joined.map((j) => j.errorCode),
    [0, 0],
  );
  const generation = joined[0]!.generationId;
  assert.equal(joined[1]!.generationId, generation, "both members are in the first generation");
  const leader = joined[0]!.leader;
  const follower = ids.find((id) => id !== leader)!;
  const assignment = (id: string) => Buffer.from(`assignment of ${id}`);
  const synced = (await Promise.all(
    ids.map((id, i) =>
      conns[i]!.request(ApiKey.SyncGroup, 3, {
        groupId: GROUP,
        generationId: generation,
        memberId: id,
        groupInstanceId: null,
        assignments: id === leader ? ids.map((m) => ({ memberId: m, assignment: assignment(m) })) : [],
      }),
    ),
  )) as Array<Reply & { assignment: Buffer }>;
  assert.deepEqual(
    synced.map((s) => [s.errorCode, s.assignment.toString()]),
    ids.map((id) => [0, assignment(id).toString()]),
  );

  // Controlled shutdown moves the offsets partition's leadership, and with it the coordinator.
  for (const c of conns) c.close();
  await cluster.node(before.nodeId).stop("SIGTERM");
  const after = await findCoordinator(cluster, before.nodeId);
  // The successor loads the group as soon as it leads the offsets partition, before any group
  // request reaches it (before, the first request started the load and got 14).
  await waitFor(
    () =>
      /group coordinator at epoch \d+: loaded .* 1 group records \(2 members\)/.test(
        cluster.node(after.nodeId).stderr,
      ),
    5000,
    "the new coordinator to load the group unasked",
  );
  const c2 = await RawClient.connect(after.port);
  defer(t, () => c2.close());

  const heartbeat = (memberId: string) =>
    untilLoaded(c2, ApiKey.Heartbeat, 3, {
      groupId: GROUP,
      generationId: generation,
      memberId,
      groupInstanceId: null,
    });
  for (const id of ids) {
    assert.equal(
      (await heartbeat(id)).errorCode,
      0,
      `member ${id} heartbeats at the new coordinator in generation ${generation} (25 = UNKNOWN_MEMBER_ID)`,
    );
  }
  // A follower that rejoins with unchanged metadata gets the same generation back (no rebalance)
  // and its assignment from the leader's SyncGroup before the move.
  const rejoined = (await c2.request(ApiKey.JoinGroup, 5, join(follower))) as Reply & {
    generationId: number;
  };
  assert.equal(rejoined.errorCode, 0);
  assert.equal(rejoined.generationId, generation);
  const resynced = (await c2.request(ApiKey.SyncGroup, 3, {
    groupId: GROUP,
    generationId: generation,
    memberId: follower,
    groupInstanceId: null,
    assignments: [],
  })) as Reply & { assignment: Buffer };
  assert.equal(resynced.errorCode, 0);
  assert.equal(resynced.assignment.toString(), assignment(follower).toString());
  assert.equal((await heartbeat(leader)).errorCode, 0, "the leader was not asked to rebalance");
  // Commits from the generation are accepted too.
  const commit = (await c2.request(ApiKey.OffsetCommit, 7, {
    groupId: GROUP,
    generationId: generation,
    memberId: leader,
    groupInstanceId: null,
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: null }] }],
  })) as { topics: Array<{ partitions: Array<{ errorCode: number }> }> };
  assert.equal(commit.topics[0]!.partitions[0]!.errorCode, 0);
});
