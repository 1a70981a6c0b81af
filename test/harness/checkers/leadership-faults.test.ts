// Which faults of a replicated log could move leadership (and so be charged with truncations).
import assert from "node:assert/strict";
import { test } from "node:test";
import { leadershipFaults } from "../../../harness/checkers/leadership-faults.ts";
import { factsOf, scenarioFromObject } from "../../../harness/scenario/load.ts";

test("servers' node faults and cuts between servers can move leadership; consumer and client-link faults cannot", () => {
  const s = scenarioFromObject(
    {
      name: "lf",
      engine: "log",
      topology: { brokers: 3, replication: 3, partitions: 3, controllers: 1 },
      workload: { rate: "10/s", producers: 1, consumers: 1, warmup: "1s", duration: "10s" },
      faults: [
        { name: "kill-broker", kind: "kill", node: "broker-1", at: "1s" },
        { name: "pause-controller", kind: "pause", node: "controller-1", at: "2s", for: "1s" },
        { name: "pause-consumer", kind: "pause", node: "consumer-1", at: "3s", for: "1s" },
        {
          name: "cut",
          kind: "partition",
          groups: [["broker-1"], ["broker-2", "broker-3"]],
          at: "4s",
          for: "1s",
        },
        { name: "cut-clients", kind: "partition", groups: [["clients"], ["broker-1"]], at: "5s", for: "1s" },
        {
          name: "slow-follower",
          kind: "toxic",
          link: "broker-2->broker-1",
          type: "latency",
          attributes: { latency: 100 },
          at: "6s",
          for: "1s",
        },
        {
          name: "slow-client",
          kind: "toxic",
          link: "clients->broker-1",
          type: "latency",
          attributes: { latency: 100 },
          at: "7s",
          for: "1s",
        },
      ],
    },
    "lf.yaml",
  );
  assert.deepEqual([...leadershipFaults(s.faults, factsOf(s))].sort(), [
    "cut",
    "kill-broker",
    "pause-controller",
    "slow-follower",
  ]);
});
