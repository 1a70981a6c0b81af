/**
 * The external Kafka target's topology facts: the brokers named under `nodes` (their faults are
 * the ones their commands allow), the consumers `consumer-N` (processes the harness starts), one
 * link `clients-><broker>` for each broker with a proxy, and the durability setting: producer acks
 * and the topic's replication factor.
 */

import { consumerNames, link } from "../../network/links.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { controlFacts } from "../command-node.ts";
import type { NodeFacts, TopologyFacts } from "../target.ts";
import type { KafkaTopology } from "./schema.ts";

const processFaults = ["kill", "pause", "restart"] as const;

export function kafkaFacts(s: Scenario<KafkaTopology>): TopologyFacts {
  const t = s.topology;
  const brokers = Object.keys(t.nodes);
  const consumers = consumerNames(s.workload.consumers);
  const nodes: NodeFacts[] = [
    ...brokers.map((b) => controlFacts(b, "topology.nodes", t.nodes[b])),
    ...consumers.map((name) => ({ name, role: "consumer" as const, faults: processFaults })),
  ];
  const acks = s.workload.acks === undefined ? 1 : s.workload.acks === -1 ? "all" : s.workload.acks;
  return {
    nodes,
    endpoints: ["clients", ...brokers, ...consumers],
    links: brokers.filter((b) => t.nodes[b]?.proxy !== undefined).map((b) => link("clients", b)),
    consumers,
    ordered: true,
    leaderElection: t.replication > 1,
    durability: `acks=${acks} · replication=${t.replication}`,
  };
}
