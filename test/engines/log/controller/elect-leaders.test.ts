import assert from "node:assert/strict";
import { test } from "node:test";
import { planElections } from "../../../../engines/log/controller/elect-leaders.ts";
import { electPreferred, electUnclean } from "../../../../engines/log/controller/election.ts";
import {
  emptyImage,
  type MetadataImage,
  type PartitionState,
} from "../../../../engines/log/controller/metadata-image.ts";

const part = (replicas: number[], leader: number, isr = replicas): PartitionState => ({
  replicas,
  leader,
  isr,
  leaderEpoch: 4,
  partitionEpoch: 9,
});

function imageOf(topics: Record<string, PartitionState[]>, live = [1, 2, 3]): MetadataImage {
  const image = emptyImage();
  for (const id of [1, 2, 3])
    image.brokers[id] = {
      id,
      host: "h",
      port: id,
      replicationHost: "h",
      replicationPort: id,
      fenced: !live.includes(id),
    };
  for (const [name, partitions] of Object.entries(topics)) image.topics[name] = { configs: {}, partitions };
  return image;
}

const codes = (r: ReturnType<typeof planElections>) =>
  r.results.map((t) => [t.topic, t.partitionResult.map((p) => [p.partitionId, p.errorCode])]);

test("preferred election: the first replica leads again at a new epoch; the ISR is kept", () => {
  const next = electPreferred(part([1, 2, 3], 2), new Set([1, 2, 3]))!;
  assert.deepEqual(next, {
    replicas: [1, 2, 3],
    leader: 1,
    isr: [1, 2, 3],
    leaderEpoch: 5,
    partitionEpoch: 10,
  });
  assert.equal(electPreferred(part([1, 2, 3], 1), new Set([1, 2, 3])), null);
  assert.equal(electPreferred(part([1, 2, 3], 2, [2, 3]), new Set([1, 2, 3])), null);
  assert.equal(electPreferred(part([1, 2, 3], 2), new Set([2, 3])), null);
});

test("unclean election: only without a leader; a live ISR member first, else any live replica alone", () => {
  assert.equal(electUnclean(part([1, 2, 3], 2), new Set([1, 2, 3])), null);
  const clean = electUnclean(part([1, 2, 3], -1, [2]), new Set([2, 3]))!;
  assert.equal(clean.leader, 2);
  assert.deepEqual(clean.isr, [2]);
  const unclean = electUnclean(part([1, 2, 3], -1, [1]), new Set([2, 3]))!;
  assert.equal(unclean.leader, 2);
  assert.deepEqual(unclean.isr, [2]);
  assert.equal(unclean.leaderEpoch, 5);
  assert.equal(electUnclean(part([1, 2, 3], -1, [1]), new Set()), null);
});

test("ElectLeaders preferred: per-partition codes 0, 84, 80 and 3, records only for the elected", () => {
  const image = imageOf({
    a: [part([1, 2, 3], 2), part([2, 3, 1], 2), part([3, 1, 2], 1, [1, 2]), part([1, 2, 3], 1)],
  });
  const r = planElections(image, 0, [
    { topic: "a", partitions: [0, 1, 2, 7] },
    { topic: "nope", partitions: [0] },
  ]);
  assert.deepEqual(codes(r), [
    [
      "a",
      [
        [0, 0],
        [1, 84],
        [2, 80],
        [7, 3],
      ],
    ],
    ["nope", [[0, 3]]],
  ]);
  assert.equal(
    r.results[0]!.partitionResult[2]!.errorMessage,
    "the preferred replica 3 is not in the ISR [1,2]",
  );
  assert.equal(r.results[0]!.partitionResult[3]!.errorMessage, "partition 7 of topic a does not exist");
  assert.equal(r.results[1]!.partitionResult[0]!.errorMessage, "topic nope does not exist");
  assert.deepEqual(
    r.records.map((x) => (x.type === "partitionChange" ? [x.topic, x.partition, x.state.leader] : [])),
    [["a", 0, 1]],
  );
});

test("ElectLeaders with null partitions covers every topic and leaves out the elections not needed", () => {
  const image = imageOf(
    { b: [part([1, 2, 3], 1)], a: [part([1, 2, 3], 2), part([2, 3, 1], 3), part([3, 1, 2], 3)] },
    [2, 3],
  );
  const r = planElections(image, 0, null);
  assert.deepEqual(codes(r), [
    [
      "a",
      [
        [0, 80],
        [1, 0],
      ],
    ],
    ["b", []],
  ]);
  assert.equal(r.results[0]!.partitionResult[0]!.errorMessage, "the preferred replica 1 is not live");
});

test("ElectLeaders unclean: 84 with a leader, 0 for an offline partition with a live replica, 83 without", () => {
  const image = imageOf({ u: [part([1, 2, 3], 2), part([1, 2, 3], -1, [1]), part([1, 3, 2], -1, [1])] }, [2]);
  const r = planElections(image, 1, [{ topic: "u", partitions: [0, 1, 2] }]);
  assert.deepEqual(codes(r), [
    [
      "u",
      [
        [0, 84],
        [1, 0],
        [2, 0],
      ],
    ],
  ]);
  const none = planElections(imageOf({ u: [part([1, 3], -1, [1])] }, [2]), 1, [
    { topic: "u", partitions: [0] },
  ]);
  assert.deepEqual(codes(none), [["u", [[0, 83]]]]);
});

test("a partition named twice is answered against the first election's outcome", () => {
  const image = imageOf({ a: [part([1, 2, 3], 2)] });
  const r = planElections(image, 0, [{ topic: "a", partitions: [0, 0] }]);
  assert.deepEqual(codes(r), [
    [
      "a",
      [
        [0, 0],
        [0, 84],
      ],
    ],
  ]);
  assert.equal(r.records.length, 1);
});
