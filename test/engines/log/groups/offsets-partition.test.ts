/**
 * The coordinator's offsets on the replicated offsets partition, with a real log, a real replica
 * (leader of two) and a real coordinator: a commit is visible to OffsetFetch only once the HW
 * passes its batch; a new leadership reloads the table from the log (last record wins, tombstones
 * remove), answering "loading" until then; lost leadership, a short ISR and a timeout fail the
 * commit with Kafka's coordinator codes and store nothing; a deleted topic's offsets are removed
 * for good.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupCoordinator } from "../../../../engines/log/groups/coordinator.ts";
import {
  decodeCommits,
  encodeCommit,
  encodeGroup,
  loadCommits,
} from "../../../../engines/log/groups/offsets-log.ts";
import { OffsetsPartition } from "../../../../engines/log/groups/offsets-partition.ts";
import type { OffsetCommitRequest } from "../../../../engines/log/protocol/apis/offset-commit.ts";
import { ErrorCode as E } from "../../../../engines/log/protocol/error-codes.ts";
import { PartitionReplica } from "../../../../engines/log/replication/partition-replica.ts";
import { defaultLogConfig } from "../../../../engines/log/storage/log-config.ts";
import { OffsetStore } from "../../../../engines/log/storage/offset-store.ts";
import { PartitionLog } from "../../../../engines/log/storage/partition-log.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

type T = Parameters<typeof tempDir>[0];
const leaderState = { replicas: [1, 2], leader: 1, isr: [1, 2], leaderEpoch: 1, partitionEpoch: 0 };
const tick = () => new Promise((r) => setImmediate(r));

function setUp(t: T, commitTimeoutMs = 5000) {
  const log = PartitionLog.open(tempDir(t), "__consumer_offsets", 0, defaultLogConfig);
  const replica = new PartitionReplica("__consumer_offsets", 0, log, 1, () => 2, leaderState);
  const store = new OffsetStore(tempDir(t));
  const groups = new GroupCoordinator(
    { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 10, maxSessionTimeoutMs: 60_000 },
    { offsets: store, partitionExists: (topic) => topic === "t" },
  );
  const logged: string[] = [];
  const topics = new Set(["t"]);
  const op = new OffsetsPartition({
    replica: () => replica,
    groups,
    offsets: store,
    topicExists: (topic) => topics.has(topic),
    minIsr: () => 2,
    commitTimeoutMs,
    log: (m) => logged.push(m),
  });
  defer(t, () => {
    groups.close();
    store.close();
    log.close();
  });
  return { log, replica, store, groups, op, logged, topics };
}

const commit = (group: string, partition: number, offset: number): OffsetCommitRequest => ({
  groupId: group,
  generationId: -1,
  memberId: "",
  retentionTimeMs: -1,
  topics: [
    {
      name: "t",
      partitions: [{ partitionIndex: partition, committedOffset: offset, committedMetadata: "m" }],
    },
  ],
});

const fetched = (groups: GroupCoordinator, group: string, partition: number) =>
  groups.fetchOffsets(
    {
      groupId: group,
      topics: [{ name: "t", partitionIndexes: [partition] }],
      requireStable: false,
      groups: [],
    } as never,
    4,
  ).topics[0]!.partitions[0]!.committedOffset;

async function ready(op: OffsetsPartition): Promise<void> {
  for (let i = 0; i < 100 && op.status() !== "ready"; i++) await tick();
  assert.equal(op.status(), "ready");
}

test("records round-trip: commits and removals, in order; foreign records are skipped", () => {
  const blob = Buffer.concat([
    encodeCommit("g", [
      { topic: "t", partition: 0, offset: 5, metadata: "x" },
      { topic: "t", partition: 1, offset: -1, metadata: null },
    ]),
    Buffer.from(encodeCommit("g", [{ topic: "u", partition: 2, offset: 7, metadata: null }])),
  ]);
  assert.deepEqual(decodeCommits(blob), [
    { group: "g", topic: "t", partition: 0, offset: 5, metadata: "x" },
    { group: "g", topic: "t", partition: 1, offset: -1, metadata: null },
    { group: "g", topic: "u", partition: 2, offset: 7, metadata: null },
  ]);
});

test("a commit is answered and visible only once the HW passes it; a follower's fetch completes it", async (t) => {
  const { op, replica, groups, log } = setUp(t);
  replica.becomeLeader(leaderState);
  assert.equal(op.status(), "loading");
  await ready(op);
  let answered = false;
  const pending = op.commit(commit("g", 0, 42)).then((r) => {
    answered = true;
    return r;
  });
  await tick();
  assert.equal(log.logEndOffset, 1, "the commit is one record appended to the offsets partition");
  assert.equal(answered, false, "not answered before the follower has it");
  assert.equal(fetched(groups, "g", 0), -1, "not visible before it is replicated");
  replica.recordFollowerFetch(2, 1);
  const r = await pending;
  assert.equal(r.topics[0]!.partitions[0]!.errorCode, 0);
  assert.equal(fetched(groups, "g", 0), 42);
});

test("a new leadership reloads the table from the log: last record wins, removals remove, chunk by chunk", async (t) => {
  const { op, replica, groups, log, logged } = setUp(t);
  log.append(encodeCommit("g", [{ topic: "t", partition: 0, offset: 1, metadata: null }]));
  log.append(encodeCommit("g", [{ topic: "t", partition: 0, offset: 9, metadata: null }]));
  log.append(encodeCommit("g", [{ topic: "t", partition: 1, offset: 3, metadata: null }]));
  log.append(encodeCommit("g", [{ topic: "t", partition: 1, offset: -1, metadata: null }]));
  log.append(encodeCommit("h", [{ topic: "t", partition: 0, offset: 5, metadata: null }]));
  // Loading reads up to the LEO (the new leader's log is the truth), in small chunks here.
  const table = await loadCommits(log, () => true, 100);
  assert.deepEqual(
    [...table!].map(([g, m]) => [g, [...m.values()].map((e) => [e.partition, e.offset])]),
    [
      ["g", [[0, 9]]],
      ["h", [[0, 5]]],
    ],
  );
  assert.equal(await loadCommits(log, () => false, 100), undefined, "an abandoned load yields nothing");
  replica.becomeLeader(leaderState);
  await ready(op);
  assert.equal(fetched(groups, "g", 0), 9);
  assert.equal(fetched(groups, "g", 1), -1);
  assert.equal(fetched(groups, "h", 0), 5);
  assert.match(logged.join("\n"), /loaded 2 committed offsets of 2 groups/);
  // Followers and former leaders do not coordinate.
  replica.becomeFollower({ ...leaderState, leader: 2, leaderEpoch: 2 });
  assert.equal(op.status(), "not-coordinator");
});

test("lost leadership, a short ISR and a timeout fail the commit (16, 15, 15) and store nothing", async (t) => {
  const { op, replica, groups } = setUp(t, 50);
  replica.becomeLeader(leaderState);
  await ready(op);
  const code = (r: { topics: Array<{ partitions: Array<{ errorCode: number }> }> }) =>
    r.topics[0]!.partitions[0]!.errorCode;
  assert.equal(code(await op.commit(commit("g", 0, 1))), E.COORDINATOR_NOT_AVAILABLE, "timed out");
  const lost = op.commit(commit("g", 0, 2));
  replica.becomeFollower({ ...leaderState, leader: 2, leaderEpoch: 2 });
  assert.equal(code(await lost), E.NOT_COORDINATOR);
  assert.equal(fetched(groups, "g", 0), -1, "a failed commit is not stored");
  // Leading again, the replica takes its own log as the truth (as Kafka's new leader does): both
  // records it holds are loaded, the newest winning.
  replica.becomeLeader({ ...leaderState, isr: [1], leaderEpoch: 3 });
  await ready(op);
  assert.equal(fetched(groups, "g", 0), 2);
  assert.equal(code(await op.commit(commit("g", 0, 3))), E.COORDINATOR_NOT_AVAILABLE, "ISR below min");
  assert.equal(fetched(groups, "g", 0), 2);
  // Refused by the coordinator itself: nothing is appended.
  const bad = await op.commit({
    ...commit("g", 0, 4),
    topics: [
      { name: "nope", partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
    ],
  });
  assert.equal(code(bad), E.UNKNOWN_TOPIC_OR_PARTITION);
});

test("a deleted topic's offsets are removed: tombstones in the log, gone from the table, not reloaded", async (t) => {
  const { op, replica, groups, log, topics } = setUp(t);
  log.append(encodeCommit("g", [{ topic: "t", partition: 0, offset: 4, metadata: null }]));
  log.append(encodeCommit("g", [{ topic: "gone", partition: 0, offset: 8, metadata: null }]));
  topics.add("gone");
  replica.becomeLeader(leaderState);
  await ready(op);
  const fetchedIn = (topic: string) =>
    groups.fetchOffsets({ groupId: "g", topics: [{ name: topic, partitionIndexes: [0] }] } as never, 4)
      .topics[0]!.partitions[0]!.committedOffset;
  assert.equal(fetchedIn("gone"), 8);
  topics.delete("gone");
  op.forgetDeletedTopics();
  assert.equal(fetchedIn("gone"), -1);
  assert.equal(fetchedIn("t"), 4, "other topics keep theirs");
  assert.deepEqual(decodeCommits(log.read(2, 1 << 20, true, log.logEndOffset).records!), [
    { group: "g", topic: "gone", partition: 0, offset: -1, metadata: null },
  ]);
  // A successor loading the log does not bring them back, nor does the check write them twice.
  const table = await loadCommits(log, () => true);
  assert.deepEqual([...table!.get("g")!.keys()], ["t\u00000"]);
  op.forgetDeletedTopics();
  assert.equal(log.logEndOffset, 3);
});

test("a leader that loads offsets of topics deleted meanwhile removes them after loading", async (t) => {
  const { op, replica, groups, log } = setUp(t);
  log.append(encodeCommit("g", [{ topic: "gone", partition: 0, offset: 8, metadata: null }]));
  replica.becomeLeader(leaderState);
  await ready(op);
  assert.equal(
    groups.fetchOffsets({ groupId: "g", topics: null } as never, 4).topics.length,
    0,
    "nothing of the deleted topic is served",
  );
  assert.equal(log.logEndOffset, 2, "and a tombstone follows the stale record");
});

test("DeleteGroups: one batch of tombstones, answered at the HW; a successor loads neither the group nor its offsets", async (t) => {
  const { op, replica, groups, log } = setUp(t);
  log.append(encodeCommit("g", [{ topic: "t", partition: 0, offset: 4, metadata: null }]));
  log.append(encodeCommit("g", [{ topic: "t", partition: 1, offset: 6, metadata: null }]));
  log.append(encodeCommit("keep", [{ topic: "t", partition: 0, offset: 2, metadata: null }]));
  log.append(
    encodeGroup("empty", {
      protocolType: "consumer",
      protocolName: "rr",
      generationId: 3,
      leaderId: null,
      members: [],
    }),
  );
  replica.becomeLeader(leaderState);
  replica.recordFollowerFetch(2, log.logEndOffset);
  await ready(op);
  const end = log.logEndOffset;
  let answered = false;
  const pending = op.deleteGroups(["g", "empty", "nobody", ""]).then((r) => {
    answered = true;
    return r;
  });
  await tick();
  assert.equal(answered, false, "not answered before the follower has the tombstones");
  assert.equal(log.logEndOffset, end + 4, "g's two offsets and its group key; empty's group key");
  assert.equal(fetched(groups, "g", 0), -1, "forgotten at once");
  replica.recordFollowerFetch(2, log.logEndOffset);
  assert.deepEqual(await pending, [
    { groupId: "g", errorCode: 0 },
    { groupId: "empty", errorCode: 0 },
    { groupId: "nobody", errorCode: E.GROUP_ID_NOT_FOUND },
    { groupId: "", errorCode: E.INVALID_GROUP_ID },
  ]);
  assert.deepEqual(groups.listGroups(), []);
  const reloaded = new Map<string, unknown>();
  const table = await loadCommits(log, () => true, undefined, reloaded as never);
  assert.deepEqual(
    [...table!.keys()].filter((g) => table!.get(g)!.size > 0),
    ["keep"],
  );
  assert.deepEqual([...reloaded.keys()], [], "the group record is deleted too");
});

test("DeleteGroups refuses a group with members (68) and appends nothing", async (t) => {
  const { op, replica, groups, log } = setUp(t);
  replica.becomeLeader(leaderState);
  await ready(op);
  const joined = groups.join(
    {
      groupId: "busy",
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: "",
      groupInstanceId: null,
      protocolType: "consumer",
      protocols: [{ name: "rr", metadata: Buffer.alloc(0) }],
    },
    3,
    "c",
  );
  void joined;
  const end = log.logEndOffset;
  assert.deepEqual(await op.deleteGroups(["busy"]), [{ groupId: "busy", errorCode: E.NON_EMPTY_GROUP }]);
  assert.equal(log.logEndOffset, end);
});

test("a commit replicated after a DeleteGroups that followed it in the log stays deleted", async (t) => {
  const { op, replica, groups, log } = setUp(t);
  log.append(encodeCommit("g", [{ topic: "t", partition: 0, offset: 4, metadata: null }]));
  replica.becomeLeader(leaderState);
  replica.recordFollowerFetch(2, log.logEndOffset);
  await ready(op);
  const committing = op.commit(commit("g", 0, 9)); // appended, waiting for the follower
  await tick();
  const deleting = op.deleteGroups(["g"]); // its tombstones come after the commit in the log
  await tick();
  replica.recordFollowerFetch(2, log.logEndOffset);
  assert.equal((await committing).topics[0]!.partitions[0]!.errorCode, 0);
  assert.deepEqual(await deleting, [{ groupId: "g", errorCode: 0 }]);
  assert.equal(fetched(groups, "g", 0), -1, "the table agrees with the log");
  const table = await loadCommits(log, () => true);
  assert.equal(table!.get("g")?.size ?? 0, 0, "so does a successor");
  // A commit made after the deletion stands.
  const after = op.commit(commit("g", 0, 11));
  await tick();
  replica.recordFollowerFetch(2, log.logEndOffset);
  assert.equal((await after).topics[0]!.partitions[0]!.errorCode, 0);
  assert.equal(fetched(groups, "g", 0), 11);
});
