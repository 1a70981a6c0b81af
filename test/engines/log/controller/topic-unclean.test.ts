/**
 * The controller's leader election reads each topic's own unclean.leader.election.enable: with
 * the ISR shrunk to the leader and the leader fenced, a topic that allows unclean election gets
 * the out-of-sync replica as leader while a topic that does not stays offline; turning the config
 * on for the offline topic (IncrementalAlterConfigs) elects at once. Three controllers in one
 * process over real sockets, brokers played by RPC calls.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunningController } from "../../../../engines/log/controller/controller.ts";
import type { PartitionState } from "../../../../engines/log/controller/metadata-image.ts";
import { RpcClient } from "../../../../engines/log/rpc/rpc.ts";
import { freePorts } from "../helpers/cluster.ts";
import { startTestController } from "../helpers/controllers.ts";
import { waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

test("per-topic unclean.leader.election.enable decides who may lead an offline partition", async (t) => {
  const dir = tempDir(t, "fb-ctl-unclean-");
  const ports = await freePorts(3);
  const running: RunningController[] = [];
  for (const id of [1, 2, 3]) {
    running.push(
      await startTestController(dir, ports, id, { sessionTimeoutMs: 600, defaultReplicationFactor: 2 }),
    );
  }
  defer(t, async () => {
    for (const c of running) await c.close();
  });
  await waitFor(() => running.some((c) => c.raft.isLeader), 5000, "an active controller");
  const active = running.find((c) => c.raft.isLeader)!;
  const rpc = new RpcClient("127.0.0.1", active.port);
  defer(t, () => rpc.close());
  const call = <T>(method: string, params: Record<string, unknown>) => rpc.call<T>(method, params, 5000);

  for (const id of [1, 2])
    await call("broker.register", {
      broker: { id, host: "127.0.0.1", port: id, replicationHost: "127.0.0.1", replicationPort: id },
    });
  let beating = new Set([1, 2]);
  const beat = setInterval(() => {
    for (const id of beating) void call("broker.heartbeat", { id, shuttingDown: false }).catch(() => {});
  }, 100);
  defer(t, () => clearInterval(beat));

  const created = await call<{ topics: Array<{ errorCode: number }> }>("broker.createTopics", {
    topics: [
      {
        name: "dirty",
        partitions: 1,
        replicationFactor: -1,
        assignments: [[1, 2]],
        configs: { "unclean.leader.election.enable": "true" },
      },
      { name: "clean", partitions: 1, replicationFactor: -1, assignments: [[1, 2]], configs: {} },
    ],
  });
  assert.deepEqual(
    created.topics.map((x) => x.errorCode),
    [0, 0],
  );
  const state = (topic: string): PartitionState => active.image.topics[topic]!.partitions[0]!;
  // The leader (1) drops 2 from both ISRs, then goes silent.
  for (const topic of ["dirty", "clean"]) {
    const p = state(topic);
    assert.equal(p.leader, 1);
    const r = await call<{ errorCode: number }>("broker.alterPartition", {
      brokerId: 1,
      topic,
      partition: 0,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      isr: [1],
    });
    assert.equal(r.errorCode, 0);
  }
  beating = new Set([2]);
  await waitFor(() => active.image.brokers[1]!.fenced, 5000, "broker 1 fenced");
  assert.deepEqual([state("dirty").leader, state("dirty").isr], [2, [2]], "unclean election: 2 leads");
  assert.deepEqual([state("clean").leader, state("clean").isr], [-1, [1]], "clean: offline, ISR kept");

  const altered = await call<{ topics: Array<{ errorCode: number }> }>("broker.alterConfigs", {
    topics: [
      {
        name: "clean",
        mode: "incremental",
        changes: [{ name: "unclean.leader.election.enable", op: 0, value: "true" }],
      },
    ],
    validateOnly: false,
  });
  assert.equal(altered.topics[0]!.errorCode, 0);
  assert.deepEqual([state("clean").leader, state("clean").isr], [2, [2]], "enabled: elected at once");
  assert.equal(active.image.topics.clean!.configs["unclean.leader.election.enable"], "true");
});
