import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Link } from "../../../../harness/network/links.ts";
import type { Scenario } from "../../../../harness/scenario/load.ts";
import type { Workload } from "../../../../harness/scenario/schema.ts";
import { agentFacts } from "../../../../harness/targets/agent/facts.ts";
import type { ResolvedAgentTopology } from "../../../../harness/targets/agent/resolve.ts";
import type { AgentTopology } from "../../../../harness/targets/agent/schema.ts";
import type { TopologyFacts } from "../../../../harness/targets/target.ts";

const memory = { type: "memory" as const };
const names = (links: readonly Link[]) => links.map((l) => l.name);
const processes = (f: TopologyFacts) => f.nodes.filter((n) => n.faults.includes("kill")).map((n) => n.name);

/** A scenario with just what the facts read. */
function scenario<T>(topology: T, workload: Partial<Workload> = {}): Scenario<T> {
  return { topology, workload: { consumers: 1, ...workload } } as unknown as Scenario<T>;
}

function agentTopology(
  agents: AgentTopology["agents"],
  collectors: AgentTopology["collectors"] = { collector: { delay: 0 } },
  entry?: string,
): ResolvedAgentTopology {
  return { agents, collectors, entry: entry ?? Object.keys(agents)[0] ?? "" };
}

describe("agentFacts", () => {
  test("a two-hop chain: producers into the entry, then agent to agent, then to the collector", () => {
    const s = agentFacts(
      scenario(
        agentTopology({
          a1: { channel: memory, sinks: ["a2"] },
          a2: { channel: memory, sinks: ["collector"] },
        }),
      ),
    );
    assert.deepEqual(names(s.links), ["producers->a1", "a1->a2", "a2->collector"]);
    assert.deepEqual(s.links[1], { name: "a1->a2", from: "a1", to: "a2" });
    assert.deepEqual(processes(s), ["a1", "a2"]);
    assert.deepEqual(s.endpoints, ["producers", "a1", "a2", "collector"]);
  });

  test("a failover fan-out: one link per sink target, in the order the sinks are listed", () => {
    const s = agentFacts(
      scenario(
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
      ),
    );
    assert.deepEqual(names(s.links), ["producers->a1", "a1->collectorA", "a1->collectorB"]);
    assert.deepEqual(processes(s), ["a1"]);
    assert.deepEqual(s.endpoints, ["producers", "a1", "collectorA", "collectorB"]);
  });

  test("the producers' link goes to the entry agent, not to the first one listed", () => {
    const s = agentFacts(
      scenario(
        agentTopology(
          {
            a1: { channel: memory, sinks: ["collector"] },
            a2: { channel: memory, sinks: ["a1"] },
          },
          undefined,
          "a2",
        ),
      ),
    );
    assert.deepEqual(names(s.links), ["producers->a2", "a1->collector", "a2->a1"]);
  });

  test("collectors can only be slowed; the durability setting is the channel type", () => {
    const s = agentFacts(
      scenario(
        agentTopology({
          a1: { channel: memory, sinks: ["a2"] },
          a2: { channel: { type: "file" }, sinks: ["collector"] },
        }),
      ),
    );
    assert.deepEqual(s.nodes.at(-1), { name: "collector", role: "collector", faults: ["slow"] });
    assert.deepEqual(s.consumers, ["collector"]);
    assert.equal(s.durability, "file+memory channels");
    assert.equal(s.ordered, false);
  });
});
