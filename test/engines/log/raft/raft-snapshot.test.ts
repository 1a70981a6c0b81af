/**
 * Raft log compaction with three voters in one process over real sockets: a voter restarted after
 * a snapshot replays only the entries after it, and a voter that was down while the leader
 * snapshotted and dropped its log prefix catches up through InstallSnapshot (in chunks).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { RaftNode } from "../../../../engines/log/raft/raft-node.ts";
import { type RpcServer, serveRpc } from "../../../../engines/log/rpc/rpc.ts";
import { freePorts } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

type After = { after: (fn: () => unknown) => void };

/** A tiny state machine: named counters, plus how many entries it applied since it started. */
interface Member {
  node: RaftNode;
  server: RpcServer;
  state: { counters: Record<string, number>; index: number };
  applied: number;
  restored: number[];
}

async function cluster(t: After, snapshotEvery: number, chunkChars?: number) {
  const dir = tempDir(t, "fb-raft-snap-");
  const ports = await freePorts(3);
  const voters = new Map(ports.map((port, i) => [i + 1, { host: "127.0.0.1", port }]));
  const members = new Map<number, Member>();
  const start = async (id: number): Promise<Member> => {
    const m = { state: { counters: {}, index: 0 }, applied: 0, restored: [] } as unknown as Member;
    m.node = new RaftNode({
      id,
      voters,
      dataDir: join(dir, `n${id}`),
      electionTimeoutMs: 150,
      heartbeatMs: 30,
      apply: (cmd, index) => {
        const { key } = cmd as { key?: string };
        if (key) m.state.counters[key] = (m.state.counters[key] ?? 0) + 1;
        m.state.index = index;
        m.applied++;
      },
      log: () => {},
      snapshots: {
        take: () => JSON.stringify(m.state),
        restore: (data, index) => {
          m.state = JSON.parse(data);
          m.restored.push(index);
        },
        maxEntries: snapshotEvery,
        maxBytes: 1 << 30,
        ...(chunkChars ? { chunkChars } : {}),
      },
    });
    m.server = await serveRpc("127.0.0.1", ports[id - 1]!, (method, p) => m.node.handle(method, p));
    m.node.start();
    members.set(id, m);
    return m;
  };
  const stop = async (id: number) => {
    const m = members.get(id)!;
    m.node.stop();
    await m.server.close();
    members.delete(id);
  };
  defer(t, async () => {
    for (const id of [...members.keys()]) await stop(id);
  });
  for (const id of [1, 2, 3]) await start(id);
  const leader = async () => {
    await waitFor(() => [...members.values()].filter((m) => m.node.isLeader).length === 1, 5000, "a leader");
    return [...members.values()].find((m) => m.node.isLeader)!;
  };
  /** Proposes `n` increments, each waited for (as the controller's queue does). */
  const propose = async (n: number, key = "k") => {
    for (let i = 0; i < n; i++) {
      for (;;) {
        try {
          await (await leader()).node.propose({ key });
          break;
        } catch {
          // leadership moved: the next leader takes it
        }
      }
    }
  };
  return { dir, members, start, stop, leader, propose };
}

test("a voter restarted after a snapshot loads it and replays only the entries after it", async (t) => {
  const c = await cluster(t, 50);
  await c.propose(130);
  const l = await c.leader();
  await waitFor(
    () => [...c.members.values()].every((m) => m.state.counters.k === 130),
    5000,
    "apply everywhere",
  );
  const follower = [...c.members.values()].find((m) => m !== l)!;
  const id = follower.node.id;
  await waitFor(() => follower.node.snapshotIndex >= 100, 3000, "the follower's own snapshot");
  const snapAt = follower.node.snapshotIndex;
  const lastIndex = follower.node.lastIndex;
  // Its log file holds only what follows the snapshot.
  const lines = readFileSync(join(c.dir, `n${id}`, "raft", "log.ndjson"), "utf8")
    .trim()
    .split("\n");
  assert.equal(lines.length, lastIndex - snapAt);

  await c.stop(id);
  const again = await c.start(id);
  assert.deepEqual(again.restored, [snapAt], "the snapshot is loaded at start");
  await c.propose(1);
  await waitFor(() => again.state.counters.k === 131, 5000, "the restarted voter to catch up");
  // It applied the tail it had after its snapshot plus the new entry, never the whole history.
  assert.ok(again.applied <= lastIndex - snapAt + 3, `replayed ${again.applied} entries`);
  assert.ok(again.applied >= 1);
  assert.equal(again.node.snapshotsInstalled, 0, "it needed nothing from the leader but new entries");
});

test("a voter that was down while the leader compacted catches up through InstallSnapshot", async (t) => {
  const c = await cluster(t, 40, 64); // 64-character chunks: every transfer takes several
  await c.propose(5);
  const l = await c.leader();
  await waitFor(
    () => [...c.members.values()].every((m) => m.state.counters.k === 5),
    5000,
    "apply everywhere",
  );
  const down = [...c.members.values()].find((m) => m !== l)!.node.id;
  await c.stop(down);
  // Enough distinct keys that the snapshot is longer than one chunk.
  for (let i = 0; i < 100; i++) await c.propose(1, `key-${i}`);
  const leader = await c.leader();
  assert.ok(leader.node.snapshotIndex > 5, "the leader dropped the entries the stopped voter lacks");

  const back = await c.start(down);
  await waitFor(() => back.node.snapshotsInstalled >= 1, 8000, "InstallSnapshot on the returning voter");
  await c.propose(1, "after");
  await waitFor(() => back.state.counters.after === 1, 5000, "entries after the snapshot");
  assert.deepEqual(back.state.counters, (await c.leader()).state.counters);
  assert.ok(back.applied < 100, `applied ${back.applied} entries itself, the rest came in the snapshot`);
});
