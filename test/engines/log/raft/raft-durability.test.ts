/**
 * Raft with the log's fsync in the background, three voters in one process over real sockets:
 * an entry commits only once a majority holds it durably (the leader's unsynced copy does not
 * count, nor does a follower's), and a voter whose disk takes seconds per fsync keeps its event
 * loop free: it answers RPCs, and the quorum keeps its leader instead of timing out into
 * elections, as it did when the fsync ran synchronously on the event loop.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { RaftNode } from "../../../../engines/log/raft/raft-node.ts";
import type { AsyncFsync } from "../../../../engines/log/raft/raft-storage.ts";
import { RpcClient, type RpcServer, serveRpc } from "../../../../engines/log/rpc/rpc.ts";
import { fsyncFileAsync } from "../../../../engines/shared/file-io.ts";
import { freePorts } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

type After = { after: (fn: () => unknown) => void };

/**
 * Each voter's disk: by default an ordinary background fsync; `hold` makes later fsyncs run but
 * keep their answer until `release` (a disk that has not confirmed yet); `delayMs` makes each
 * answer come that much later (a disk under pressure).
 */
class Disk {
  holding = false;
  delayMs = 0;
  private held: Array<() => void> = [];
  readonly fsync: AsyncFsync = (fd, cb) => {
    const holding = this.holding;
    const delay = this.delayMs;
    fsyncFileAsync(fd, (err) => {
      if (holding) this.held.push(() => cb(err));
      else if (delay > 0) setTimeout(() => cb(err), delay);
      else cb(err);
    });
  };
  release(): void {
    this.holding = false;
    for (const f of this.held.splice(0)) f();
  }
}

async function cluster(t: After) {
  const dir = tempDir(t, "fb-raft-dur-");
  const ports = await freePorts(3);
  const voters = new Map(ports.map((port, i) => [i + 1, { host: "127.0.0.1", port }]));
  const members = new Map<number, { node: RaftNode; server: RpcServer; disk: Disk; applied: unknown[] }>();
  for (const id of [1, 2, 3]) {
    const disk = new Disk();
    const applied: unknown[] = [];
    const node = new RaftNode({
      id,
      voters,
      dataDir: join(dir, `n${id}`),
      electionTimeoutMs: 150,
      heartbeatMs: 30,
      apply: (cmd) => applied.push(cmd),
      log: (msg) => process.env.RAFT_DEBUG && console.error(id, msg),
      fsync: disk.fsync,
    });
    const server = await serveRpc("127.0.0.1", ports[id - 1]!, (m, p) =>
      m === "ping" ? { pong: true } : node.handle(m, p),
    );
    members.set(id, { node, server, disk, applied });
    node.start();
  }
  defer(t, async () => {
    for (const m of members.values()) m.disk.release();
    for (const m of members.values()) {
      m.node.stop();
      await m.server.close();
    }
  });
  await waitFor(() => [...members.values()].filter((m) => m.node.isLeader).length === 1, 5000, "a leader");
  const leader = [...members.values()].find((m) => m.node.isLeader)!;
  await leader.node.propose({ n: 0 }); // the leader's no-op and a first entry are committed
  const followers = [...members.values()].filter((m) => m !== leader);
  return { members, leader, followers, ports };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("an entry commits only once a majority holds it durably, the leader's copy counted only when synced", async (t) => {
  const { leader, followers } = await cluster(t);
  const [a, b] = followers as [(typeof followers)[0], (typeof followers)[0]];
  for (const m of [leader, a, b]) m.disk.holding = true;
  const before = leader.node.commitIndex;
  let committed = false;
  const p = leader.node.propose({ n: 1 }).then(() => {
    committed = true;
  });
  const index = leader.node.lastIndex;
  // Every voter has the entry written (replication does not wait for the leader's disk)...
  await waitFor(() => a.node.lastIndex >= index && b.node.lastIndex >= index, 3000, "replicated");
  await sleep(200);
  // ...but no disk confirmed it: not committed anywhere.
  assert.equal(leader.node.commitIndex, before);
  assert.equal(committed, false);
  assert.ok(leader.node.durableIndex < index);

  a.disk.release(); // one follower's durable copy: 1 of 3
  await waitFor(() => a.node.durableIndex >= index, 3000, "a's fsync");
  await sleep(200);
  assert.equal(leader.node.commitIndex, before, "one durable copy of three is no majority");
  assert.equal(committed, false);

  leader.disk.release(); // the leader's own copy becomes durable: 2 of 3
  await p;
  assert.ok(leader.node.commitIndex >= index);
  assert.ok(leader.node.durableIndex >= index);
  b.disk.release();
});

test("two follower copies commit without the leader's own fsync (the leader writes in parallel)", async (t) => {
  const { leader, followers } = await cluster(t);
  leader.disk.holding = true;
  const index = leader.node.lastIndex + 1;
  await leader.node.propose({ n: 1 });
  assert.ok(leader.node.durableIndex < index, "committed by the followers' durable copies alone");
  leader.disk.release();
  for (const f of followers)
    await waitFor(() => f.applied.some((c) => (c as { n?: number }).n === 1), 3000, "apply");
});

test("a 2 s fsync leaves every voter's event loop free: RPCs answered, no election, commits grouped", async (t) => {
  const { members, leader, ports } = await cluster(t);
  const term = leader.node.term;
  const fsyncsBefore = [...members.values()].map((m) => m.node.logFsyncs);
  for (const m of members.values()) m.disk.delayMs = 2000;
  // The event loop's worst stall while the slow fsyncs run, and pings to each voter's RPC server.
  let last = performance.now();
  let worstGapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    worstGapMs = Math.max(worstGapMs, now - last);
    last = now;
  }, 10);
  defer(t, () => clearInterval(tick));
  const pingers = ports.map((port) => new RpcClient("127.0.0.1", port));
  defer(t, () => {
    for (const c of pingers) c.close();
  });
  const started = performance.now();
  // Fifty commits at once (a consumer group committing after every batch): they share fsyncs.
  const proposals = Array.from({ length: 50 }, (_, n) => leader.node.propose({ n: n + 1 }));
  let pings = 0;
  let worstPingMs = 0;
  while (performance.now() - started < 1500) {
    for (const c of pingers) {
      const t0 = performance.now();
      await c.call("ping", {}, 1000);
      worstPingMs = Math.max(worstPingMs, performance.now() - t0);
      pings++;
    }
    await sleep(50);
  }
  await Promise.all(proposals);
  const tookMs = performance.now() - started;
  clearInterval(tick);
  assert.ok(tookMs >= 1900, `commits waited for the durable copies (${Math.round(tookMs)} ms)`);
  assert.ok(
    worstGapMs < 500,
    `the event loop never stalled for the fsync (worst ${Math.round(worstGapMs)} ms)`,
  );
  assert.ok(worstPingMs < 500, `every voter answered pings meanwhile (worst ${Math.round(worstPingMs)} ms)`);
  assert.ok(pings >= 15);
  assert.equal(leader.node.term, term, "no election: followers kept hearing the leader");
  assert.ok(leader.node.isLeader);
  const fsyncs = [...members.values()].map((m, i) => m.node.logFsyncs - fsyncsBefore[i]!);
  // 50 entries, each voter a handful of 2 s fsyncs (a synchronous fsync per append would be 50).
  for (const n of fsyncs) assert.ok(n <= 5, `group commit: ${fsyncs.join("/")} fsyncs for 50 entries`);
});
