import assert from "node:assert/strict";
import { test } from "node:test";
import { leaderImbalance, planLeaderRebalance } from "../../../../engines/log/controller/leader-balance.ts";
import {
  emptyImage,
  type MetadataImage,
  type PartitionState,
} from "../../../../engines/log/controller/metadata-image.ts";

const part = (replicas: number[], leader: number, isr = replicas, leaderEpoch = 2): PartitionState => ({
  replicas,
  leader,
  isr,
  leaderEpoch,
  partitionEpoch: 5,
});

function imageOf(partitions: PartitionState[], fenced: number[] = []): MetadataImage {
  const image = emptyImage();
  for (const id of [1, 2, 3])
    image.brokers[id] = {
      id,
      host: "h",
      port: id,
      replicationHost: "h",
      replicationPort: id,
      fenced: fenced.includes(id),
    };
  image.topics.t = { configs: {}, partitions };
  return image;
}

/** Six partitions, preferred leaders 1,2,3,1,2,3; after broker 1 and 2 restarted, broker 3 leads all. */
const pileUp = () =>
  imageOf([
    part([1, 2, 3], 3),
    part([2, 3, 1], 3),
    part([3, 1, 2], 3),
    part([1, 3, 2], 3),
    part([2, 1, 3], 3),
    part([3, 2, 1], 3),
  ]);

test("imbalance per broker: of the partitions it is preferred for, how many it does not lead", () => {
  assert.deepEqual(leaderImbalance(pileUp()), [
    { broker: 1, preferred: 2, notLeading: 2 },
    { broker: 2, preferred: 2, notLeading: 2 },
    { broker: 3, preferred: 2, notLeading: 0 },
  ]);
});

test("the rebalance moves every partition back to its preferred replica at a new leader epoch, ISR unchanged", () => {
  const plan = planLeaderRebalance(pileUp(), 10);
  const moved = plan.records.map((r) => (r.type === "partitionChange" ? [r.partition, r.state.leader] : []));
  assert.deepEqual(moved, [
    [0, 1],
    [1, 2],
    [3, 1],
    [4, 2],
  ]);
  for (const r of plan.records) {
    assert.equal(r.type, "partitionChange");
    if (r.type !== "partitionChange") continue;
    assert.equal(r.state.leaderEpoch, 3);
    assert.equal(r.state.partitionEpoch, 6);
    assert.deepEqual(r.state.isr, pileUp().topics.t!.partitions[r.partition]!.isr);
  }
  assert.match(plan.changes[0]!, /broker 1 leads 0 of the 2 .* \(imbalance 100% > 10%\): 2 move back/);
});

test("a broker at or below the allowed percentage is left alone", () => {
  // Broker 1 is preferred for 4 partitions and misses one: 25%.
  const image = imageOf([part([1, 2, 3], 2), part([1, 2, 3], 1), part([1, 2, 3], 1), part([1, 2, 3], 1)]);
  assert.equal(planLeaderRebalance(image, 25).records.length, 0);
  assert.equal(planLeaderRebalance(image, 24).records.length, 1);
  // 0% moves any partition not led by its preferred replica.
  assert.equal(planLeaderRebalance(image, 0).records.length, 1);
});

test("the preferred replica must be live and in the ISR, else the partition stays where it is", () => {
  const outOfIsr = imageOf([part([1, 2, 3], 2, [2, 3]), part([1, 2, 3], 2)]);
  const plan = planLeaderRebalance(outOfIsr, 10);
  assert.deepEqual(
    plan.records.map((r) => (r.type === "partitionChange" ? r.partition : -1)),
    [1],
  );
  assert.equal(plan.changes.length, 2, "one line for broker 1, one for its move");
  const fenced = imageOf([part([1, 2, 3], 2), part([1, 2, 3], 2)], [1]);
  assert.deepEqual(planLeaderRebalance(fenced, 10), { records: [], changes: [] });
  // An offline partition counts toward the imbalance, but only an ISR member may lead it.
  const offline = imageOf([part([1, 2, 3], -1, [2])]);
  assert.deepEqual(leaderImbalance(offline), [{ broker: 1, preferred: 1, notLeading: 1 }]);
  assert.equal(planLeaderRebalance(offline, 10).records.length, 0);
});

test("a balanced cluster plans nothing", () => {
  const image = imageOf([part([1, 2, 3], 1), part([2, 3, 1], 2), part([3, 1, 2], 3)]);
  assert.deepEqual(planLeaderRebalance(image, 10), { records: [], changes: [] });
});
