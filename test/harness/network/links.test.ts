import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AgentTopology, LogTopology } from "../../../harness/scenario/schema.ts";
import {
  agentShape,
  brokerNames,
  consumerNames,
  type Link,
  link,
  linksBetween,
  logShape,
} from "../../../harness/network/links.ts";

const memory = { type: "memory" as const };
const names = (links: readonly Link[]) => links.map((l) => l.name);

function agentTopology(
  agents: AgentTopology["agents"],
  collectors: AgentTopology["collectors"] = { collector: { delay: 0 } },
  entry?: string,
): AgentTopology & { entry: string } {
  return { agents, collectors, entry: entry ?? Object.keys(agents)[0] ?? "" };
}

function logTopology(brokers = 1): LogTopology {
  return {
    brokers,
    topic: "t",
    partitions: 3,
    config: {},
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 10_000,
  };
}

describe("link", () => {
  test("names a link from->to and keeps both ends", () => {
    assert.deepEqual(link("a1", "a2"), { name: "a1->a2", from: "a1", to: "a2" });
  });
});

describe("agentShape", () => {
  test("a two-hop chain: producers into the entry, then agent to agent, then to the collector", () => {
    const s = agentShape(
      agentTopology({
        a1: { channel: memory, sinks: ["a2"] },
        a2: { channel: memory, sinks: ["collector"] },
      }),
    );
    assert.deepEqual(names(s.links), ["producers->a1", "a1->a2", "a2->collector"]);
    assert.deepEqual(s.links[1], { name: "a1->a2", from: "a1", to: "a2" });
    assert.deepEqual(s.processes, ["a1", "a2"]);
    assert.deepEqual(s.nodes, ["producers", "a1", "a2", "collector"]);
  });

  test("a failover fan-out: one link per sink target, in the order the sinks are listed", () => {
    const s = agentShape(
      agentTopology(
        {
          a1: {
            channel: memory,
            sinks: ["collectorA", "collectorB"],
            processor: { type: "failover", priority: { collectorB: 5 } },
          },
        },
        { collectorA: { delay: 0 }, collectorB: { delay: 10 } },
      ),
    );
    assert.deepEqual(names(s.links), ["producers->a1", "a1->collectorA", "a1->collectorB"]);
    assert.deepEqual(s.processes, ["a1"]);
    assert.deepEqual(s.nodes, ["producers", "a1", "collectorA", "collectorB"]);
  });

  test("the producers' link goes to the entry agent, not to the first one listed", () => {
    const s = agentShape(
      agentTopology(
        {
          a1: { channel: memory, sinks: ["collector"] },
          a2: { channel: memory, sinks: ["a1"] },
        },
        undefined,
        "a2",
      ),
    );
    assert.deepEqual(names(s.links), ["producers->a2", "a1->collector", "a2->a1"]);
  });
});

describe("logShape", () => {
  test("clients reach each broker over one link; brokers and consumers are processes", () => {
    const s = logShape(logTopology(1), 3);
    assert.deepEqual(names(s.links), ["clients->broker-1"]);
    assert.deepEqual(s.links[0], { name: "clients->broker-1", from: "clients", to: "broker-1" });
    assert.deepEqual(s.processes, ["broker-1", "consumer-1", "consumer-2", "consumer-3"]);
    assert.deepEqual(s.nodes, ["clients", "broker-1", "consumer-1", "consumer-2", "consumer-3"]);
  });

  test("several brokers get one link each (names are 1-based)", () => {
    assert.deepEqual(brokerNames(logTopology(3)), ["broker-1", "broker-2", "broker-3"]);
    assert.deepEqual(names(logShape(logTopology(2), 1).links), ["clients->broker-1", "clients->broker-2"]);
    assert.deepEqual(consumerNames(0), []);
    assert.deepEqual(consumerNames(2), ["consumer-1", "consumer-2"]);
  });
});

describe("linksBetween", () => {
  const chain = [link("producers", "a1"), link("a1", "a2"), link("a2", "collector")];

  test("cuts only the links whose ends sit in different groups", () => {
    assert.deepEqual(
      names(
        linksBetween(chain, [
          ["producers", "a1"],
          ["a2", "collector"],
        ]),
      ),
      ["a1->a2"],
    );
    assert.deepEqual(names(linksBetween(chain, [["a1"], ["producers", "a2", "collector"]])), [
      "producers->a1",
      "a1->a2",
    ]);
  });

  test("nodes in no group are untouched: their links are never cut", () => {
    // collector is in no group, so a2->collector stays; producers is in no group either.
    assert.deepEqual(names(linksBetween(chain, [["a1"], ["a2"]])), ["a1->a2"]);
    assert.deepEqual(linksBetween(chain, [["producers"], ["collector"]]), []);
  });

  test("links inside one group are kept; three groups cut every crossing link", () => {
    assert.deepEqual(linksBetween(chain, [["producers", "a1", "a2"], ["nobody"]]), []);
    assert.deepEqual(names(linksBetween(chain, [["producers"], ["a1"], ["a2", "collector"]])), [
      "producers->a1",
      "a1->a2",
    ]);
  });

  test("works in both directions and for fan-outs", () => {
    const fan = [link("producers", "a1"), link("a1", "collectorA"), link("a1", "collectorB")];
    assert.deepEqual(names(linksBetween(fan, [["collectorA"], ["a1"]])), ["a1->collectorA"]);
    assert.deepEqual(names(linksBetween(fan, [["a1"], ["collectorA", "collectorB"]])), [
      "a1->collectorA",
      "a1->collectorB",
    ]);
  });
});
