/** Three Raft voters in one process over real sockets: election, majority commit, re-election. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RaftNode } from "../../../../engines/log/raft/raft-node.ts";
import { serveRpc } from "../../../../engines/log/rpc/rpc.ts";
import { freePorts } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

test("3 voters elect one leader, commit on a majority, and re-elect after the leader stops", async (t) => {
  const dir = tempDir(t);
  const ports = await freePorts(3);
  const voters = new Map(ports.map((port, i) => [i + 1, { host: "127.0.0.1", port }]));
  const applied = new Map<number, unknown[]>();
  const nodes = new Map<number, RaftNode>();
  const servers = new Map<number, { close(): Promise<void> }>();
  for (const id of [1, 2, 3]) {
    applied.set(id, []);
    const node = new RaftNode({
      id,
      voters,
      dataDir: `${dir}/n${id}`,
      electionTimeoutMs: 150,
      heartbeatMs: 30,
      apply: (cmd) => applied.get(id)!.push(cmd),
      log: () => {},
    });
    nodes.set(id, node);
    servers.set(id, await serveRpc("127.0.0.1", ports[id - 1]!, (m, p) => node.handle(m, p)));
    node.start();
  }
  defer(t, async () => {
    for (const [id, n] of nodes) {
      n.stop();
      await servers.get(id)!.close();
    }
  });
  const leader = () => [...nodes.values()].filter((n) => n.isLeader);
  await waitFor(() => leader().length === 1, 5000, "a leader");
  const first = leader()[0]!;
  await first.propose({ type: "x", n: 1 });
  await waitFor(
    () => [...applied.values()].every((a) => a.some((c) => (c as { n?: number }).n === 1)),
    3000,
    "apply everywhere",
  );

  first.stop();
  await servers.get(first.id)!.close();
  nodes.delete(first.id);
  await waitFor(() => leader().length === 1, 5000, "a new leader");
  const second = leader()[0]!;
  assert.notEqual(second.id, first.id);
  assert.ok(second.term > first.term);
  await second.propose({ type: "x", n: 2 });
  for (const id of nodes.keys()) {
    await waitFor(() => applied.get(id)!.some((c) => (c as { n?: number }).n === 2), 3000, `apply on ${id}`);
    // Order is the log's order on every member.
    const ns = applied
      .get(id)!
      .map((c) => (c as { n?: number }).n)
      .filter((n) => n !== undefined);
    assert.deepEqual(ns, [1, 2]);
  }
});
