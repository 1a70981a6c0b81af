/**
 * The leader's side of a reassignment's completion, in process with a stub controller: the
 * AlterPartition that takes the added replica into the ISR also completes the move and hands
 * leadership to that replica (new leader epoch). Until the old leader's image shows the change, it
 * must keep counting the added replica toward the high watermark — otherwise it acknowledges
 * acks=all writes the new leader never fetched, and they are lost when the followers truncate to
 * the new leader's log. Once the image arrives, the removed leader stops leading and deletes its copy.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseBrokerConfig } from "../../../../engines/log/config.ts";
import type { MetadataImage, PartitionState } from "../../../../engines/log/controller/metadata-image.ts";
import type { QuorumClient } from "../../../../engines/log/controller/quorum-client.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { ReplicaManager } from "../../../../engines/log/replication/replica-manager.ts";
import { LogManager } from "../../../../engines/log/storage/log-manager.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

const tick = () => new Promise((r) => setImmediate(r));

test("a leader whose AlterPartition completed a move away from it holds the HW until its image catches up", async (t) => {
  const config = parseBrokerConfig({ "min.insync.replicas": "2", "replica.lag.time.max.ms": "60000" });
  const logs = new LogManager(tempDir(t), config.log);
  logs.load();
  defer(t, () => logs.close());
  const rm = new ReplicaManager({ nodeId: 1, logs, config, peers: new Map(), log: () => {} });
  defer(t, () => rm.close());
  const moving: PartitionState = {
    replicas: [4, 2, 3, 1],
    leader: 1,
    isr: [1, 2, 3],
    leaderEpoch: 0,
    partitionEpoch: 1,
    addingReplicas: [4],
    removingReplicas: [1],
  };
  const done: PartitionState = {
    replicas: [4, 2, 3],
    leader: 4,
    isr: [2, 3, 4],
    leaderEpoch: 1,
    partitionEpoch: 2,
  };
  const proposed: unknown[] = [];
  rm.quorum = {
    call: async (_method: string, params: Record<string, unknown>) => {
      proposed.push(params.isr);
      return { errorCode: 0, state: done };
    },
  } as unknown as QuorumClient;
  const image = (state: PartitionState, version: number): MetadataImage => ({
    version,
    brokers: Object.fromEntries(
      [1, 2, 3, 4].map((id) => [
        id,
        { id, host: "h", port: id, replicationHost: "h", replicationPort: id, fenced: false },
      ]),
    ),
    topics: { t: { configs: {}, partitions: [state] } },
    offsets: {},
  });
  rm.applyImage(image(moving, 10));
  const r = rm.replica("t", 0)!;
  assert.equal(r.role, "leader");
  const write = () => {
    r.log.append(buildBatch([{ value: Buffer.from("v") }]));
    r.notifyAppend();
    r.maybeAdvanceHighWatermark();
  };
  const fetchAt = (replicaId: number, fetchOffset: number) =>
    rm.handleReplicaFetch({
      replicaId,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: "t",
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: 0,
              fetchOffset,
              lastFetchedEpoch: -1,
              logStartOffset: 0,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    });

  write();
  write();
  await fetchAt(2, 2);
  await fetchAt(3, 2);
  assert.equal(r.log.highWatermark, 2);
  // Broker 4 caught up: the leader proposes it for the ISR, which completes the move.
  await fetchAt(4, 2);
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(proposed, [[1, 2, 3, 4]]);

  // Before the image with the completed move arrives: a write the followers 2 and 3 fetch, but
  // broker 4 (the new leader) does not, must not be committed.
  write();
  await fetchAt(2, 3);
  await fetchAt(3, 3);
  assert.equal(r.log.highWatermark, 2, "the HW waits for the added replica the controller made leader");

  rm.applyImage(image(done, 11));
  assert.equal(r.role, "none");
  assert.equal(r.log.logEndOffset, 0, "the removed replica deleted its copy");
});
