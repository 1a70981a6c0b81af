/**
 * ElectLeaders on one broker, over the wire in v0, v1 and v2 (flexible): every existing partition
 * already has its preferred (and only) replica as leader — ELECTION_NOT_NEEDED (84); unknown
 * topics and partitions 3; an unknown election type INVALID_REQUEST (42) at the top and on each
 * partition; all partitions (null) answer every topic with nothing to report.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { createTopicsBody, rawBroker } from "../helpers/raw.ts";

// biome-ignore lint/suspicious/noExplicitAny: protocol answers are checked field by field
type Any = Record<string, any>;

const codes = (r: Any) =>
  r.replicaElectionResults.map((t: Any) => [
    t.topic,
    t.partitionResult.map((p: Any) => [p.partitionId, p.errorCode]),
  ]);

test("ElectLeaders v0–v2 on one broker: 84 for existing partitions, 3 for unknown ones, 42 for a bad type", async (t) => {
  const { call } = await rawBroker(t);
  await call(ApiKey.CreateTopics, 3, createTopicsBody([{ name: "solo", numPartitions: 2 }]));
  const asked = [
    { topic: "solo", partitions: [0, 1, 5] },
    { topic: "ghost", partitions: [0] },
  ];
  const want = [
    [
      "solo",
      [
        [0, 84],
        [1, 84],
        [5, 3],
      ],
    ],
    ["ghost", [[0, 3]]],
  ];
  const v0 = await call(ApiKey.ElectLeaders, 0, { topicPartitions: asked, timeoutMs: 1000 });
  assert.deepEqual(codes(v0), want);
  for (const v of [1, 2]) {
    for (const electionType of [0, 1]) {
      const r = await call(ApiKey.ElectLeaders, v, { electionType, topicPartitions: asked, timeoutMs: 1000 });
      assert.equal(r.errorCode, 0);
      assert.deepEqual(codes(r), want, `v${v} type ${electionType}`);
    }
  }
  const v2 = await call(ApiKey.ElectLeaders, 2, { electionType: 0, topicPartitions: asked, timeoutMs: 1000 });
  assert.equal(
    v2.replicaElectionResults[0].partitionResult[2].errorMessage,
    "partition 5 of topic solo does not exist",
  );
  const bad = await call(ApiKey.ElectLeaders, 2, {
    electionType: 7,
    topicPartitions: asked,
    timeoutMs: 1000,
  });
  assert.equal(bad.errorCode, 42);
  assert.deepEqual(
    bad.replicaElectionResults.flatMap((x: Any) => x.partitionResult.map((p: Any) => p.errorCode)),
    [42, 42, 42, 42],
  );
  assert.match(bad.replicaElectionResults[0].partitionResult[0].errorMessage, /election_type 7 is unknown/);
  const all = await call(ApiKey.ElectLeaders, 1, { electionType: 0, topicPartitions: null, timeoutMs: 1000 });
  assert.deepEqual(codes(all), [["solo", []]]);
});
