/**
 * The log target's topology facts: brokers `broker-N` and consumers `consumer-N` (each can be
 * killed, paused and restarted), one link `clients->broker-N` per broker (producers and consumers
 * reach a broker at the one address it advertises), and the durability setting: producer acks
 * and the broker's flush policy.
 */

import { consumerNames, link } from "../../network/links.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import type { NodeFacts, TopologyFacts } from "../target.ts";
import type { LogTopology } from "./schema.ts";

export function brokerNames(t: LogTopology): string[] {
  return Array.from({ length: t.brokers }, (_, i) => `broker-${i + 1}`);
}

const processFaults = ["kill", "pause", "restart"] as const;

export function logFacts(s: Scenario<LogTopology>): TopologyFacts {
  const brokers = brokerNames(s.topology);
  const consumers = consumerNames(s.workload.consumers);
  const nodes: NodeFacts[] = [
    ...brokers.map((name) => ({ name, role: "server" as const, faults: processFaults })),
    ...consumers.map((name) => ({ name, role: "consumer" as const, faults: processFaults })),
  ];
  return {
    nodes,
    endpoints: ["clients", ...brokers, ...consumers],
    links: brokers.map((b) => link("clients", b)),
    consumers,
    ordered: true,
    durability: kafkaDurability(s.workload.acks, s.topology.config["flush.messages"]),
  };
}

/** The design-matrix label of a Kafka-protocol setup: producer acks, plus a forced flush if set. */
export function kafkaDurability(acks: number | undefined, flushMessages?: unknown): string {
  const a = acks === undefined ? 1 : acks === -1 ? "all" : acks;
  return flushMessages === undefined ? `acks=${a}` : `acks=${a} · flush.messages=${String(flushMessages)}`;
}
