/**
 * The controller quorum's metadata log stays bounded under a stream of OffsetCommits (each one a
 * Raft entry) because every voter snapshots its image and drops the log prefix; a restart of the
 * whole quorum loads the snapshots and serves the same committed offsets to brokers.
 * Three controllers in one process, over real sockets.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type RunningController, startController } from "../../../../engines/log/controller/controller.ts";
import type { MetadataImage } from "../../../../engines/log/controller/metadata-image.ts";
import { RpcClient } from "../../../../engines/log/rpc/rpc.ts";
import { freePorts } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

test("the metadata log stays bounded over many OffsetCommits, and a restart restores the offsets", async (t) => {
  const dir = tempDir(t, "fb-ctl-snap-");
  const ports = await freePorts(3);
  const voters = new Map(ports.map((port, i) => [i + 1, { host: "127.0.0.1", port }]));
  const running = new Map<number, RunningController>();
  const start = async (id: number) =>
    running.set(
      id,
      await startController({
        id,
        voters,
        host: "127.0.0.1",
        port: ports[id - 1]!,
        dataDir: join(dir, `c${id}`),
        sessionTimeoutMs: 60_000,
        electionTimeoutMs: 300,
        unclean: false,
        defaultReplicationFactor: 1,
        snapshotMaxRecords: 40,
        snapshotMaxBytes: 1 << 30,
        log: () => {},
      }),
    );
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
