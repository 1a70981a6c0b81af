/**
 * The controller quorum's metadata log stays bounded under a stream of OffsetCommits (each one a
 * Raft entry) because every voter snapshots its image and drops the log prefix; a restart of the
 * whole quorum loads the snapshots and serves the same committed offsets to brokers. A new active
 * controller fences its predecessor's broker a session after its last Raft append, but gives a
 * broker that could not reach the old controller a full session to find the new one.
 * Three controllers in one process, over real sockets.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RunningController } from "../../../../engines/log/controller/controller.ts";
import type { MetadataImage } from "../../../../engines/log/controller/metadata-image.ts";
import { RpcClient } from "../../../../engines/log/rpc/rpc.ts";
import { freePorts } from "../helpers/cluster.ts";
import { startTestController } from "../helpers/controllers.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

test("the metadata log stays bounded over many OffsetCommits, and a restart restores the offsets", async (t) => {
  const dir = tempDir(t, "fb-ctl-snap-");
  const ports = await freePorts(3);
  const voters = new Map(ports.map((port, i) => [i + 1, { host: "127.0.0.1", port }]));
  const running = new Map<number, RunningController>();
  const start = async (id: number) =>
    running.set(id, await startTestController(dir, ports, id, { snapshotMaxRecords: 40 }));
  const closeAll = async () => {
    for (const [id, c] of running) {
      await c.close();
      running.delete(id);
    }
  };
  defer(t, closeAll);
  for (const id of [1, 2, 3]) await start(id);

  const clients = new Map([...voters].map(([id, a]) => [id, new RpcClient(a.host, a.port)]));
  defer(t, () => {
    for (const c of clients.values()) c.close();
  });
  const active = async () => {
    await waitFor(() => [...running.values()].some((c) => c.raft.isLeader), 5000, "an active controller");
    return [...running.entries()].find(([, c]) => c.raft.isLeader)![0];
  };
  const commits = 400;
  let leader = await active();
  const logBytes = (id: number) => statSync(join(dir, `c${id}`, "raft", "log.ndjson")).size;
  let largest = 0;
  for (let i = 1; i <= commits; i++) {
    const params = {
      group: `group-${i % 7}`,
      entries: [{ topic: "orders", partition: i % 5, offset: i, metadata: null }],
    };
    for (;;) {
      try {
        await clients.get(leader)!.call("broker.commitOffsets", params, 3000);
        break;
      } catch {
        leader = await active(); // an election on this busy machine: commit again (it is idempotent)
      }
    }
    if (i % 100 === 0) for (const id of voters.keys()) largest = Math.max(largest, logBytes(id));
  }
  // One commit is ~110 bytes of log; without snapshots the log would pass 44 KB.
  assert.ok(largest < 15_000, `largest metadata log seen: ${largest} bytes`);
  await waitFor(
    () => [...running.values()].every((c) => c.raft.lastApplied >= commits && c.raft.snapshotIndex > 350),
    5000,
    "every voter applied and snapshotted",
  );
  const expected = structuredClone(running.get(leader)!.image.offsets);
  assert.equal(expected["group-0"]!["orders\u00000"]!.offset, 385);

  // The whole quorum restarts: each voter loads its snapshot and replays only its short tail.
  await closeAll();
  for (const id of [1, 2, 3]) await start(id);
  for (const c of running.values()) {
    const lines = readFileSync(join(dir, `c${c.raft.id}`, "raft", "log.ndjson"), "utf8")
      .trim()
      .split("\n");
    assert.ok(lines.length < 80, `voter ${c.raft.id} keeps ${lines.length} log entries`);
    assert.ok(c.image.version >= c.raft.snapshotIndex && c.raft.snapshotIndex > 350);
  }
  leader = await active();
  // What a broker (a new group coordinator) gets from the restarted quorum: the same offsets.
  const image = await clients
    .get(leader)!
    .call<MetadataImage>("broker.metadata", { since: -1, maxWaitMs: 100 }, 3000);
  assert.deepEqual(image.offsets, expected);
});

test("a new active controller: the dead predecessor's broker is fenced, a broker cut off from the old controller gets a full session", async (t) => {
  const dir = tempDir(t, "fb-ctl-session-");
  const sessionTimeoutMs = 2000;
  const ports = await freePorts(3);
  const voters = new Map(ports.map((port, i) => [i + 1, { host: "127.0.0.1", port }]));
  const running = new Map<number, RunningController>();
  const logs = new Map<number, string[]>();
  for (const id of [1, 2, 3]) {
    logs.set(id, []);
    running.set(
      id,
      await startTestController(dir, ports, id, {
        sessionTimeoutMs,
        defaultReplicationFactor: 3,
        snapshotMaxRecords: 1000,
        log: (m) => logs.get(id)!.push(m),
      }),
    );
  }
  defer(t, async () => {
    for (const c of running.values()) await c.close();
  });
  const clients = new Map([...voters].map(([id, a]) => [id, new RpcClient(a.host, a.port)]));
  defer(t, () => {
    for (const c of clients.values()) c.close();
  });
  const leader = () => [...running.entries()].find(([, c]) => c.raft.isLeader)?.[0];
  await waitFor(() => leader() !== undefined, 5000, "an active controller");
  const old = leader()!;
  // Brokers 1–3 (combined mode: broker i lives with voter i) register and heartbeat whichever
  // controller leads, every 200 ms, while `beating` holds them.
  const beating = new Set([1, 2, 3]);
  for (const id of [1, 2, 3]) {
    const broker = { id, host: "127.0.0.1", port: 1, replicationHost: "127.0.0.1", replicationPort: 1 };
    await clients.get(old)!.call("broker.register", { broker }, 3000);
  }
  let stop = false;
  const loops = [1, 2, 3].map(async (id) => {
    while (!stop) {
      const l = leader();
      if (beating.has(id) && l !== undefined)
        await clients
          .get(l)!
          .call("broker.heartbeat", { id, shuttingDown: false }, 1000)
          .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  defer(t, async () => {
    stop = true;
    await Promise.all(loops);
  });
  const fenced = (id: number) => {
    const l = leader();
    return l !== undefined && running.get(l)!.image.brokers[id]?.fenced === true;
  };
  await waitFor(
    () => [1, 2, 3].every((id) => running.get(old)!.image.brokers[id]?.fenced === false),
    5000,
    "3 unfenced brokers",
  );

  // Broker `cut` loses its link to the old controller; a second later the old controller's
  // process dies (its broker's heartbeats stop with it).
  const cut = old === 1 ? 2 : 1;
  beating.delete(cut);
  const cutAt = Date.now();
  await new Promise((r) => setTimeout(r, 1000));
  beating.delete(old);
  await running.get(old)!.close();
  running.delete(old);
  await waitFor(() => leader() !== undefined, 5000, "a new active controller");
  const elected = Date.now();
  const next = leader()!;
  // The cut broker finds the new controller a second after its election: by then it has been
  // silent for more than a session, but it had a full session to find the new controller.
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(Date.now() - cutAt > sessionTimeoutMs, "the cut broker was silent for more than a session");
  beating.add(cut);
  await waitFor(() => fenced(old), sessionTimeoutMs + 3000, "the dead controller's broker to be fenced");
  assert.ok(
    logs
      .get(next)!
      .some((m) =>
        m.startsWith(`broker ${old} was the active controller: its session counts from its last append`),
      ),
    logs.get(next)!.join("\n"),
  );
  // Until a session after the election has passed, and more: the cut broker is never fenced.
  while (Date.now() - elected < sessionTimeoutMs + 1000) {
    assert.equal(fenced(cut), false, `broker ${cut} was fenced: ${logs.get(next)!.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(leader(), next);
});
