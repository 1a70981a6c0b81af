import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupCoordinator } from "../../../../engines/log/groups/coordinator.ts";
import type {
  JoinGroupRequest,
  JoinGroupResponse,
} from "../../../../engines/log/protocol/apis/join-group.ts";
import { ErrorCode as E } from "../../../../engines/log/protocol/error-codes.ts";
import { OffsetStore } from "../../../../engines/log/storage/offset-store.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

type T = Parameters<typeof tempDir>[0];

function coordinator(
  t: T,
  over: Partial<{ initialRebalanceDelayMs: number; minSessionTimeoutMs: number }> = {},
) {
  const offsets = new OffsetStore(tempDir(t));
  const c = new GroupCoordinator(
    { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 10, maxSessionTimeoutMs: 60_000, ...over },
    { offsets, partitionExists: (topic) => topic === "t" },
  );
  c.start(10);
  defer(t, () => {
    c.close();
    offsets.close();
  });
  return c;
}

const req = (memberId: string, over: Partial<JoinGroupRequest> = {}): JoinGroupRequest => ({
  groupId: "g",
  sessionTimeoutMs: 300,
  rebalanceTimeoutMs: 400,
  memberId,
  groupInstanceId: null,
  protocolType: "consumer",
  protocols: [{ name: "rr", metadata: Buffer.from(`meta-${memberId}`) }],
  ...over,
});

/** v5 join including the MEMBER_ID_REQUIRED round trip; returns the pending full join. */
async function joinNew(c: GroupCoordinator, clientId: string, over: Partial<JoinGroupRequest> = {}) {
  const first = (await c.join(req("", over), 5, clientId)) as JoinGroupResponse;
  assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, new RegExp(`^${clientId}-`));
  return { id: first.memberId, joined: Promise.resolve(c.join(req(first.memberId, over), 5, clientId)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("v4+ join: MEMBER_ID_REQUIRED, then the barrier, leader gets metadata, sync hands out assignments", async (t) => {
  const c = coordinator(t);
  const a = await joinNew(c, "a");
  const ja = await a.joined;
  assert.equal(ja.errorCode, 0);
  assert.equal(ja.generationId, 1);
  assert.equal(ja.leader, a.id);
  assert.equal(ja.members.length, 1);
  const completing = c.describeGroup("g");
  assert.equal(completing.groupState, "CompletingRebalance");
  assert.equal(completing.members[0]!.memberAssignment.length, 0, "no assignment before sync");
  assert.equal(c.describeGroup("nope").groupState, "Dead");
  assert.deepEqual(
    await c.sync({
      groupId: "g",
      generationId: 1,
      memberId: a.id,
      groupInstanceId: null,
      assignments: [{ memberId: a.id, assignment: Buffer.from("A") }],
    }),
    {
      throttleTimeMs: 0,
      errorCode: 0,
      assignment: Buffer.from("A"),
    },
  );
  assert.equal(c.describe("g").state, "Stable");
  const stable = c.describeGroup("g");
  assert.deepEqual(
    [stable.protocolData, stable.members[0]!.memberAssignment.toString(), stable.members[0]!.clientId],
    ["rr", "A", "a"],
  );
  assert.deepEqual(c.listGroups(), [{ groupId: "g", protocolType: "consumer" }]);

  // A second member triggers a rebalance; the first learns of it by heartbeat and rejoins.
  const b = await joinNew(c, "b");
  assert.equal(c.heartbeat("g", 1, a.id).errorCode, E.REBALANCE_IN_PROGRESS);
  const [ra, rb] = await Promise.all([c.join(req(a.id), 5, "a"), b.joined]);
  assert.equal(ra.generationId, 2);
  assert.equal(rb.generationId, 2);
  assert.equal(ra.leader, a.id, "the leader is kept across generations");
  assert.deepEqual(
    ra.members.map((m) => [m.memberId, m.metadata.toString()]),
    [
      [a.id, `meta-${a.id}`],
      [b.id, `meta-${b.id}`],
    ],
  );
  assert.deepEqual(rb.members, [], "followers get no member list");
  // The follower's sync waits for the leader's.
  const followerSync = c.sync({
    groupId: "g",
    generationId: 2,
    memberId: b.id,
    groupInstanceId: null,
    assignments: [],
  });
  assert.ok(followerSync instanceof Promise);
  await c.sync({
    groupId: "g",
    generationId: 2,
    memberId: a.id,
    groupInstanceId: null,
    assignments: [
      { memberId: a.id, assignment: Buffer.from("A2") },
      { memberId: b.id, assignment: Buffer.from("B2") },
    ],
  });
  assert.equal((await followerSync).assignment.toString(), "B2");
  assert.equal(c.heartbeat("g", 2, b.id).errorCode, 0);
  assert.equal(c.heartbeat("g", 1, b.id).errorCode, E.ILLEGAL_GENERATION);
  assert.equal(c.heartbeat("g", 2, "stranger").errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal((await c.join(req("stranger"), 5, "x")).errorCode, E.UNKNOWN_MEMBER_ID);
});

test("v0-v3 joins get a member id directly; bad requests are refused", async (t) => {
  const c = coordinator(t);
  const r = await c.join(req(""), 3, "old");
  assert.equal(r.errorCode, 0);
  assert.match(r.memberId, /^old-/);
  assert.equal((await c.join(req("", { groupId: "" }), 5, "x")).errorCode, E.INVALID_GROUP_ID);
  assert.equal((await c.join(req("", { sessionTimeoutMs: 1 }), 5, "x")).errorCode, E.INVALID_SESSION_TIMEOUT);
  const other = req("", { protocols: [{ name: "range", metadata: Buffer.alloc(0) }] });
  assert.equal((await c.join(other, 3, "x")).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal(
    (await c.join(req("", { protocolType: "connect" }), 3, "x")).errorCode,
    E.INCONSISTENT_GROUP_PROTOCOL,
  );
});

test("a member that stops heartbeating is evicted after its session timeout and the rest rebalance", async (t) => {
  // Both members join within the initial delay, so they share the first generation.
  const c = coordinator(t, { initialRebalanceDelayMs: 50 });
  const a = await joinNew(c, "a");
  const b = await joinNew(c, "b");
  const [ja] = await Promise.all([a.joined, b.joined]);
  assert.equal(ja.members.length, 2);
  const gen = ja.generationId;
  await c.sync({
    groupId: "g",
    generationId: gen,
    memberId: ja.leader,
    groupInstanceId: null,
    assignments: [],
  });
  await c.sync({
    groupId: "g",
    generationId: gen,
    memberId: a.id === ja.leader ? b.id : a.id,
    groupInstanceId: null,
    assignments: [],
  });
  // Only a heartbeats; b has crashed.
  let rebalancing = false;
  for (let i = 0; i < 20 && !rebalancing; i++) {
    await sleep(50);
    rebalancing = c.heartbeat("g", gen, a.id).errorCode === E.REBALANCE_IN_PROGRESS;
  }
  assert.ok(rebalancing, "eviction triggered a rebalance");
  assert.deepEqual(c.describe("g").members, [a.id]);
  const again = await c.join(req(a.id), 5, "a");
  assert.equal(again.generationId, gen + 1);
  assert.equal(again.members.length, 1);
  assert.equal(c.heartbeat("g", gen, b.id).errorCode, E.UNKNOWN_MEMBER_ID);
});

test("members that do not rejoin within the rebalance timeout are dropped from the generation", async (t) => {
  // Both members join within the initial delay, so they share the first generation.
  const c = coordinator(t, { initialRebalanceDelayMs: 50 });
  const a = await joinNew(c, "a", { sessionTimeoutMs: 5000 });
  const b = await joinNew(c, "b", { sessionTimeoutMs: 5000 });
  const [ja] = await Promise.all([a.joined, b.joined]);
  await c.sync({
    groupId: "g",
    generationId: ja.generationId,
    memberId: ja.leader,
    groupInstanceId: null,
    assignments: [],
  });
  // a rejoins (new metadata forces a rebalance); b stays silent but keeps its session alive.
  const t0 = Date.now();
  const p = c.join(req(a.id, { protocols: [{ name: "rr", metadata: Buffer.from("v2") }] }), 5, "a");
  const r = await p;
  assert.ok(Date.now() - t0 >= 350, "waited for the rebalance timeout");
  assert.equal(r.errorCode, 0);
  assert.deepEqual(c.describe("g").members, [a.id]);
});

test("the initial rebalance delay gathers members that arrive together into one generation", async (t) => {
  const c = coordinator(t, { initialRebalanceDelayMs: 150 });
  const a = await joinNew(c, "a");
  await sleep(50);
  const b = await joinNew(c, "b");
  const [ja, jb] = await Promise.all([a.joined, b.joined]);
  assert.equal(ja.generationId, 1);
  assert.equal(jb.generationId, 1);
  assert.equal(ja.members.length + jb.members.length, 2);
});

test("leave triggers a rebalance; offsets commit only from the current generation", async (t) => {
  // Both members join within the initial delay, so they share the first generation.
  const c = coordinator(t, { initialRebalanceDelayMs: 50 });
  const a = await joinNew(c, "a");
  const b = await joinNew(c, "b");
  const [ja] = await Promise.all([a.joined, b.joined]);
  const gen = ja.generationId;
  const commit = (memberId: string, generationId: number, offset = 5) =>
    c.commitOffsets({
      groupId: "g",
      generationId,
      memberId,
      retentionTimeMs: -1,
      topics: [
        {
          name: "t",
          partitions: [{ partitionIndex: 0, committedOffset: offset, committedMetadata: null }],
        },
      ],
    }).topics[0]!.partitions[0]!.errorCode;
  assert.equal(commit(a.id, gen), E.REBALANCE_IN_PROGRESS, "awaiting sync");
  await c.sync({
    groupId: "g",
    generationId: gen,
    memberId: ja.leader,
    groupInstanceId: null,
    assignments: [],
  });
  assert.equal(commit(a.id, gen), 0);
  assert.equal(commit(a.id, gen - 1), E.ILLEGAL_GENERATION);
  assert.equal(commit("ghost", gen), E.UNKNOWN_MEMBER_ID);
  assert.equal(commit("", -1), E.UNKNOWN_MEMBER_ID, "simple commits are refused while the group has members");
  const leave = c.leave("g", [b.id, "ghost"]);
  assert.deepEqual(
    leave.members.map((m) => m.errorCode),
    [0, E.UNKNOWN_MEMBER_ID],
  );
  assert.equal(c.describe("g").state, "PreparingRebalance");
  assert.equal(commit(a.id, gen, 7), 0, "the current generation may still commit while rebalancing");
  const f = c.fetchOffsets({
    groupId: "g",
    topics: [{ name: "t", partitionIndexes: [0, 1] }],
    groups: [],
    requireStable: false,
  });
  assert.deepEqual(
    f.topics[0]!.partitions.map((p) => p.committedOffset),
    [7, -1],
  );
  c.leave("g", [a.id]);
  assert.equal(c.describe("g").state, "Empty");
  assert.equal(commit("", -1, 9), 0, "simple commit to an empty group");
  const unknownTopic = c.commitOffsets({
    groupId: "g",
    generationId: -1,
    memberId: "",
    retentionTimeMs: -1,
    topics: [
      { name: "nope", partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
    ],
  });
  assert.equal(unknownTopic.topics[0]!.partitions[0]!.errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
});

test("rebalance storm: random joins, leaves, crashes and heartbeats always converge and answer every request", async (t) => {
  const c = coordinator(t);
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  interface Sim {
    id: string;
    gen: number;
    alive: boolean;
    busy: boolean;
  }
  const members: Sim[] = [];
  let outstanding = 0;
  const track = <X>(p: X | Promise<X>): Promise<X> => {
    outstanding++;
    return Promise.resolve(p).finally(() => outstanding--);
  };
  const runMember = async (m: Sim) => {
    // The kafkajs loop in miniature: join, sync, heartbeat until told to rejoin.
    while (m.alive) {
      m.busy = true;
      const j = await track(c.join(req(m.id), 5, "s"));
      if (j.errorCode !== 0) {
        m.busy = false;
        if (j.errorCode === E.UNKNOWN_MEMBER_ID) m.alive = false;
        continue;
      }
      m.gen = j.generationId;
      const assignments = j.members.map((x) => ({
        memberId: x.memberId,
        assignment: Buffer.from(x.memberId),
      }));
      const s = await track(
        c.sync({ groupId: "g", generationId: m.gen, memberId: m.id, groupInstanceId: null, assignments }),
      );
      m.busy = false;
      if (s.errorCode !== 0) continue;
      while (m.alive) {
        await sleep(20 + rand() * 30);
        if (!m.alive) break;
        const h = c.heartbeat("g", m.gen, m.id).errorCode;
        if (h === E.UNKNOWN_MEMBER_ID) m.alive = false;
        if (h !== 0) break;
      }
    }
  };
  const loops: Array<Promise<void>> = [];
  for (let step = 0; step < 40; step++) {
    const r = rand();
    const live = members.filter((m) => m.alive);
    if (r < 0.45 || live.length < 2) {
      const first = await c.join(req(""), 5, "s");
      const m: Sim = { id: first.memberId, gen: -1, alive: true, busy: false };
      members.push(m);
      loops.push(runMember(m));
    } else if (r < 0.75) {
      const m = live[Math.floor(rand() * live.length)]!;
      m.alive = false;
      c.leave("g", [m.id]);
    } else {
      // Crash: the member simply goes silent and must be evicted by session timeout.
      const m = live[Math.floor(rand() * live.length)]!;
      m.alive = false;
    }
    await sleep(rand() * 60);
  }
  const survivors = members.filter((m) => m.alive);
  const deadline = Date.now() + 8000;
  for (;;) {
    const d = c.describe("g");
    const ids = survivors
      .filter((m) => m.alive)
      .map((m) => m.id)
      .sort();
    if (
      d.state === "Stable" &&
      outstanding === 0 &&
      JSON.stringify([...d.members].sort()) === JSON.stringify(ids)
    )
      break;
    if (Date.now() > deadline)
      assert.fail(`no convergence: ${JSON.stringify(d)} outstanding=${outstanding} alive=${ids.length}`);
    await sleep(50);
  }
  const gen = c.describe("g").generationId;
  for (const m of survivors.filter((x) => x.alive)) assert.equal(c.heartbeat("g", gen, m.id).errorCode, 0);
  for (const m of members) m.alive = false;
  await Promise.all(loops);
});

test("with a group store, SyncGroup answers only once the generation is stored; a failed store is the members' error and a new rebalance", async (t) => {
  const c = coordinator(t);
  const stored: Array<{ generation: number; members: string[]; done: (code: number) => void }> = [];
  c.useStore(
    (_group, s) =>
      new Promise((done) =>
        stored.push({ generation: s.generationId, members: s.members.map((m) => m.memberId), done }),
      ),
  );
  const a = await joinNew(c, "a");
  const ja = await a.joined;
  const syncing = Promise.resolve(
    c.sync({
      groupId: "g",
      generationId: ja.generationId,
      memberId: a.id,
      groupInstanceId: null,
      assignments: [{ memberId: a.id, assignment: Buffer.from("p0") }],
    }),
  );
  let answered = false;
  void syncing.then(() => {
    answered = true;
  });
  await sleep(20);
  assert.equal(answered, false, "not answered before the store");
  assert.deepEqual(
    stored.map((s) => [s.generation, s.members]),
    [[1, [a.id]]],
  );
  assert.equal(c.describe("g").state, "CompletingRebalance");
  stored[0]!.done(0);
  const r = await syncing;
  assert.equal(r.errorCode, 0);
  assert.equal(r.assignment.toString(), "p0");
  assert.equal(c.describe("g").state, "Stable");

  // Generation 2: the store fails (the coordinator lost the offsets partition meanwhile).
  const again = Promise.resolve(
    c.join(req(a.id, { protocols: [{ name: "rr", metadata: Buffer.from("changed") }] }), 5, "a"),
  );
  const j2 = await again;
  assert.equal(j2.generationId, 2);
  const failing = Promise.resolve(
    c.sync({
      groupId: "g",
      generationId: 2,
      memberId: a.id,
      groupInstanceId: null,
      assignments: [{ memberId: a.id, assignment: Buffer.from("p0") }],
    }),
  );
  await sleep(10);
  stored[1]!.done(E.NOT_COORDINATOR);
  assert.equal((await failing).errorCode, E.NOT_COORDINATOR);
  assert.equal(c.describe("g").state, "PreparingRebalance", "the group rebalances again");
});

test("loadGroups: a new coordinator's members keep their generation; unloadGroups answers waiting joins NOT_COORDINATOR", async (t) => {
  const c = coordinator(t);
  c.loadGroups(
    new Map([
      [
        "g",
        {
          protocolType: "consumer",
          protocolName: "rr",
          generationId: 7,
          leaderId: "lead",
          members: ["lead", "other"].map((memberId) => ({
            memberId,
            groupInstanceId: null,
            clientId: memberId,
            clientHost: "",
            sessionTimeoutMs: 300,
            rebalanceTimeoutMs: 400,
            protocols: [{ name: "rr", metadata: Buffer.from(`meta-${memberId}`) }],
            assignment: Buffer.from(`assigned-${memberId}`),
          })),
        },
      ],
    ]),
  );
  assert.deepEqual(c.describe("g"), {
    state: "Stable",
    generationId: 7,
    members: ["lead", "other"],
    leader: "lead",
  });
  assert.equal(c.heartbeat("g", 7, "other").errorCode, 0);
  // A follower rejoining with the same metadata gets generation 7 back, then its assignment.
  const rejoin = (await c.join(req("other"), 5, "other")) as JoinGroupResponse;
  assert.equal(rejoin.generationId, 7);
  const sync = await c.sync({
    groupId: "g",
    generationId: 7,
    memberId: "other",
    groupInstanceId: null,
    assignments: [],
  });
  assert.equal(sync.assignment.toString(), "assigned-other");
  // The leader rejoining starts a rebalance; the coordinator then stops coordinating.
  const waiting = Promise.resolve(c.join(req("lead"), 5, "lead"));
  assert.equal(c.describe("g").state, "PreparingRebalance");
  c.unloadGroups();
  assert.equal((await waiting).errorCode, E.NOT_COORDINATOR);
  assert.equal(c.describe("g").state, "Dead");
});

test("DeleteGroups: only an Empty group goes — not one with members, nor one still rebalancing without them", async (t) => {
  const c = coordinator(t, { initialRebalanceDelayMs: 200 });
  const a = await joinNew(c, "a"); // parked in the initial delay
  assert.deepEqual(c.deleteGroups(["g"]), [{ groupId: "g", errorCode: E.NON_EMPTY_GROUP }]);
  c.leave("g", [a.id]);
  assert.equal((await a.joined).errorCode, E.UNKNOWN_MEMBER_ID);
  assert.equal(c.describe("g").state, "PreparingRebalance");
  assert.deepEqual(c.deleteGroups(["g"]), [{ groupId: "g", errorCode: E.NON_EMPTY_GROUP }]);
  await sleep(300); // the delay ends with nobody: Empty
  assert.equal(c.describe("g").state, "Empty");
  assert.deepEqual(c.deleteGroups(["g", "g"]), [
    { groupId: "g", errorCode: 0 },
    { groupId: "g", errorCode: E.GROUP_ID_NOT_FOUND },
  ]);
  assert.equal(c.describe("g").state, "Dead");
});
