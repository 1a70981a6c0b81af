import assert from "node:assert/strict";
import { test } from "node:test";
import { removeBroker } from "../../../../engines/log/controller/election.ts";
import { emptyImage, type PartitionState } from "../../../../engines/log/controller/metadata-image.ts";
import {
  cancelReassignment,
  listReassignments,
  planReassignments,
  startReassignment,
  targetReplicas,
  tryCompleteReassignment,
} from "../../../../engines/log/controller/reassignment.ts";

const registered = new Set([1, 2, 3, 4]);
const live = new Set([1, 2, 3, 4]);
const p = (): PartitionState => ({
  replicas: [1, 2, 3],
  leader: 1,
  isr: [1, 2, 3],
  leaderEpoch: 5,
  partitionEpoch: 9,
});
const ok = (r: ReturnType<typeof startReassignment>) => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.state;
};

test("a move starts with replicas = target + removed, the adding and removing sets recorded, no leader change", () => {
  const s = ok(startReassignment(p(), [4, 2, 3], registered, live));
  assert.deepEqual(s.replicas, [4, 2, 3, 1]);
  assert.deepEqual(s.addingReplicas, [4]);
  assert.deepEqual(s.removingReplicas, [1]);
  assert.deepEqual(s.isr, [1, 2, 3]);
  assert.equal(s.leader, 1);
  assert.equal(s.leaderEpoch, 5);
  assert.equal(s.partitionEpoch, 10);
  assert.deepEqual(targetReplicas(s), [4, 2, 3]);
});

test("once the added replica is in the ISR the move completes: removed leader replaced, epoch bumped", () => {
  const started = ok(startReassignment(p(), [4, 2, 3], registered, live));
  // Not complete while broker 4 is outside the ISR.
  assert.equal(tryCompleteReassignment(started, live), started);
  const done = tryCompleteReassignment({ ...started, isr: [1, 2, 3, 4], partitionEpoch: 11 }, live);
  assert.deepEqual(done.replicas, [4, 2, 3]);
  assert.deepEqual(done.isr, [2, 3, 4]);
  assert.equal(done.leader, 4, "the first target replica in the ISR leads");
  assert.equal(done.leaderEpoch, 6);
  assert.equal(done.partitionEpoch, 12);
  assert.equal(done.addingReplicas, undefined);
  assert.equal(done.removingReplicas, undefined);
});

test("removing a follower keeps the leader but still bumps the leader epoch (fences the removed replica)", () => {
  const started = ok(startReassignment(p(), [1, 2, 4], registered, live));
  const done = tryCompleteReassignment({ ...started, isr: [1, 2, 3, 4] }, live);
  assert.equal(done.leader, 1);
  assert.equal(done.leaderEpoch, 6);
  assert.deepEqual(done.isr, [1, 2, 4]);
});

test("a pure addition (RF 3 → 4) keeps the leader epoch; a shrink whose target is in sync completes at once", () => {
  const grown = tryCompleteReassignment(
    { ...ok(startReassignment(p(), [1, 2, 3, 4], registered, live)), isr: [1, 2, 3, 4] },
    live,
  );
  assert.deepEqual(grown.replicas, [1, 2, 3, 4]);
  assert.equal(grown.leaderEpoch, 5);
  const shrunk = ok(startReassignment(p(), [2, 3], registered, live));
  assert.deepEqual(shrunk.replicas, [2, 3]);
  assert.deepEqual(shrunk.isr, [2, 3]);
  assert.equal(shrunk.leader, 2);
  assert.equal(shrunk.leaderEpoch, 6);
  assert.equal(shrunk.addingReplicas, undefined);
});

test("cancel drops the adding replicas and restores the original assignment; nothing to cancel is 85", () => {
  const started = ok(startReassignment(p(), [4, 2, 3], registered, live));
  const back = ok(cancelReassignment({ ...started, isr: [1, 2, 3] }, live));
  assert.deepEqual(back.replicas, [2, 3, 1]);
  assert.deepEqual(back.isr, [1, 2, 3]);
  assert.equal(back.leader, 1);
  assert.equal(back.addingReplicas, undefined);
  const none = cancelReassignment(p(), live);
  assert.equal(none.ok, false);
  assert.equal(!none.ok && none.errorCode, 85);
});

test("bad targets are INVALID_REPLICA_ASSIGNMENT (39) with the reason", () => {
  for (const [target, words] of [
    [[], "empty"],
    [[1, 1, 2], "twice"],
    [[1, 2, 9], "9"],
  ] as const) {
    const r = startReassignment(p(), target, registered, live);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.errorCode, 39);
    assert.match(!r.ok ? r.message : "", new RegExp(words));
  }
});

test("fencing a broker during a move keeps the reassignment state", () => {
  const started = ok(startReassignment(p(), [4, 2, 3], registered, live));
  const fenced = removeBroker(started, 2, new Set([1, 3, 4]), false)!;
  assert.deepEqual(fenced.addingReplicas, [4]);
  assert.deepEqual(fenced.removingReplicas, [1]);
  assert.deepEqual(fenced.isr, [1, 3]);
});

test("planReassignments answers per partition and batches the changes; listReassignments shows them", () => {
  const image = emptyImage();
  for (const id of [1, 2, 3, 4])
    image.brokers[id] = { id, host: "h", port: id, replicationHost: "h", replicationPort: id, fenced: false };
  image.topics.t = { configs: {}, partitions: [p(), p()] };
  const plan = planReassignments(image, [
    {
      name: "t",
      partitions: [
        { partitionIndex: 0, replicas: [4, 2, 3] },
        { partitionIndex: 1, replicas: null },
        { partitionIndex: 7, replicas: [1] },
      ],
    },
    { name: "nope", partitions: [{ partitionIndex: 0, replicas: [1] }] },
  ]);
  assert.deepEqual(
    plan.results.flatMap((t) => t.partitions.map((x) => x.errorCode)),
    [0, 85, 3, 3],
  );
  assert.equal(plan.records.length, 1);
  const rec = plan.records[0]!;
  assert.ok(rec.type === "partitionChange");
  image.topics.t.partitions[0] = rec.state;
  assert.deepEqual(listReassignments(image, null), [
    {
      name: "t",
      partitions: [{ partitionIndex: 0, replicas: [4, 2, 3, 1], addingReplicas: [4], removingReplicas: [1] }],
    },
  ]);
  assert.deepEqual(listReassignments(image, [{ name: "t", partitionIndexes: [1] }]), []);
});
