import assert from "node:assert/strict";
import { test } from "node:test";
import type { Op } from "../../../../harness/history/op.ts";
import { leadershipFigures, leadershipOp } from "../../../../harness/targets/log/leadership.ts";

const brokers = ["broker-1", "broker-2", "broker-3"];

test("leadership figures: per-broker counts (zero included), not-preferred and offline partitions", () => {
  // After a rolling restart without rebalance: broker-3 leads everything it could, broker-1 nothing.
  const op = leadershipOp(5, "events", brokers, [
    { partitionIndex: 1, leaderId: 3, replicaNodes: [2, 3, 1] },
    { partitionIndex: 0, leaderId: 3, replicaNodes: [1, 2, 3] },
    { partitionIndex: 2, leaderId: 3, replicaNodes: [3, 1, 2] },
    { partitionIndex: 3, leaderId: -1, replicaNodes: [1, 3, 2] },
  ]);
  assert.deepEqual(op.partitions[0], {
    partition: 0,
    leader: "broker-3",
    replicas: ["broker-1", "broker-2", "broker-3"],
  });
  assert.equal(op.partitions[3]!.leader, null);
  assert.deepEqual(leadershipFigures([op as Op]), {
    topic: "events",
    partitions: 4,
    byBroker: { "broker-1": 0, "broker-2": 0, "broker-3": 3 },
    maxPerBroker: 3,
    minPerBroker: 0,
    notPreferred: 3,
    offline: 1,
  });
});

test("balanced leadership: every partition on its preferred replica; no op, no figures", () => {
  const op = leadershipOp(5, "events", brokers, [
    { partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2, 3] },
    { partitionIndex: 1, leaderId: 2, replicaNodes: [2, 3, 1] },
    { partitionIndex: 2, leaderId: 3, replicaNodes: [3, 1, 2] },
  ]);
  const f = leadershipFigures([op as Op])!;
  assert.equal(f.notPreferred, 0);
  assert.equal(f.maxPerBroker, 1);
  assert.equal(f.minPerBroker, 1);
  assert.equal(leadershipFigures([]), undefined);
});
