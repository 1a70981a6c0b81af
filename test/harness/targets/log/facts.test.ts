import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Link } from "../../../../harness/network/links.ts";
import type { Scenario } from "../../../../harness/scenario/load.ts";
import type { Workload } from "../../../../harness/scenario/schema.ts";
import { brokerNames, kafkaDurability, logFacts } from "../../../../harness/targets/log/facts.ts";
import type { LogTopology } from "../../../../harness/targets/log/schema.ts";
import type { TopologyFacts } from "../../../../harness/targets/target.ts";

const names = (links: readonly Link[]) => links.map((l) => l.name);
const processes = (f: TopologyFacts) => f.nodes.filter((n) => n.faults.includes("kill")).map((n) => n.name);

/** A scenario with just what the facts read. */
function scenario<T>(topology: T, workload: Partial<Workload> = {}): Scenario<T> {
  return { topology, workload: { consumers: 1, ...workload } } as unknown as Scenario<T>;
}

function logTopology(
  brokers = 1,
  controllers: LogTopology["controllers"] = "combined",
  replication = 1,
): LogTopology {
  return {
    brokers,
    controllers,
    replication,
    topic: "t",
    partitions: 3,
    config: {},
    topicConfig: {},
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 10_000,
    fetchMaxWait: 500,
  };
}

describe("logFacts", () => {
  test("clients reach each broker over one link; brokers and consumers are processes", () => {
    const s = logFacts(scenario(logTopology(1), { consumers: 3 }));
    assert.deepEqual(names(s.links), ["clients->broker-1"]);
    assert.deepEqual(s.links[0], { name: "clients->broker-1", from: "clients", to: "broker-1" });
    assert.deepEqual(processes(s), ["broker-1", "consumer-1", "consumer-2", "consumer-3"]);
    assert.deepEqual(s.endpoints, ["clients", "broker-1", "consumer-1", "consumer-2", "consumer-3"]);
  });

  test("several brokers get one link each (names are 1-based)", () => {
    assert.deepEqual(brokerNames(logTopology(3)), ["broker-1", "broker-2", "broker-3"]);
    assert.deepEqual(names(logFacts(scenario(logTopology(2), { consumers: 1 })).links), [
      "clients->broker-1",
      "clients->broker-2",
      "broker-1->broker-2",
      "broker-1->controller-2",
      "broker-2->broker-1",
      "broker-2->controller-1",
    ]);
  });

  test("a cluster with dedicated controllers: controller-N nodes and their links", () => {
    const f = logFacts(scenario(logTopology(3, 3, 3), { consumers: 1 }));
    assert.deepEqual(processes(f), [
      "broker-1",
      "broker-2",
      "broker-3",
      "controller-1",
      "controller-2",
      "controller-3",
      "consumer-1",
    ]);
    const l = f.links.find((x) => x.name === "broker-2->controller-3")!;
    assert.deepEqual(l, { name: "broker-2->controller-3", from: "broker-2", to: "controller-3" });
    assert.ok(names(f.links).includes("controller-1->controller-2"));
    // Combined: the link to controller 2 ends at node broker-2, so a partition naming broker-2 cuts it.
    const c = logFacts(scenario(logTopology(3, "combined", 3), { consumers: 1 }));
    assert.equal(c.links.find((x) => x.name === "broker-1->controller-2")!.to, "broker-2");
  });
});

describe("kafkaDurability", () => {
  test("acks (default 1, -1 as all), plus a forced flush when set", () => {
    assert.equal(logFacts(scenario(logTopology(1))).durability, "acks=1");
    assert.equal(kafkaDurability(-1), "acks=all");
    assert.equal(kafkaDurability(0, 1), "acks=0 · flush.messages=1");
    assert.equal(kafkaDurability(-1, undefined, 3, 2), "acks=all · RF=3 · min.insync=2");
  });
});

describe("logTarget.resolve", () => {
  test("replication above the broker count names the field and the fix", async () => {
    const { logTarget } = await import("../../../../harness/targets/log/definition.ts");
    const problems: string[] = [];
    logTarget.resolve!(logTopology(2, "combined", 3), { workload: {} } as never, (path, msg) =>
      problems.push(`${path} ${msg}`),
    );
    assert.deepEqual(problems, [
      "topology.replication is 3 but there are 2 broker(s); set it to at most brokers",
    ]);
  });
});
