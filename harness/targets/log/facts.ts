/**
 * The log target's topology facts: brokers `broker-N`, dedicated controllers `controller-N` and
 * consumers `consumer-N` (each can be killed, paused and restarted), one link `clients->broker-N`
 * per broker (producers and consumers reach a broker at the one address it advertises), in a
 * cluster every broker↔broker and broker→controller link (cluster-plan.ts), and the durability
 * setting: producer acks, replication, min.insync.replicas and the broker's flush policy.
 */

import { consumerNames, link } from "../../network/links.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import type { NodeFacts, TopologyFacts } from "../target.ts";
import { type ClusterShape, clusterLinks, voters } from "./cluster-plan.ts";
import type { LogTopology } from "./schema.ts";

export function brokerNames(t: LogTopology): string[] {
  return Array.from({ length: t.brokers }, (_, i) => `broker-${i + 1}`);
}

/** The cluster's shape, or undefined for a single broker without a controller quorum. */
export function clusterShape(t: LogTopology): ClusterShape | undefined {
  if (t.brokers === 1 && t.controllers === "combined") return undefined;
  return { brokers: t.brokers, controllers: t.controllers };
}

/** Dedicated controller processes `controller-N` (none when combined). */
export function controllerNames(t: LogTopology): string[] {
  const shape = clusterShape(t);
  return shape && shape.controllers !== "combined" ? voters(shape).map((v) => v.host) : [];
}

const processFaults = ["kill", "pause", "restart"] as const;

export function logFacts(s: Scenario<LogTopology>): TopologyFacts {
  const brokers = brokerNames(s.topology);
  const consumers = consumerNames(s.workload.consumers);
  const controllers = controllerNames(s.topology);
  const shape = clusterShape(s.topology);
  const nodes: NodeFacts[] = [
    // power-loss: the broker's storage goes through the lazy file-I/O layer; consumers store nothing.
    // reassign: only a cluster can move replicas between brokers.
    ...brokers.map((name) => ({
      name,
      role: "server" as const,
      faults: shape
        ? ([...processFaults, "power-loss", "reassign"] as const)
        : ([...processFaults, "power-loss"] as const),
      ...(shape
        ? {}
        : {
            hint: "reassign moves replicas between brokers of a cluster: set topology.brokers to 2 or more",
          }),
    })),
    ...controllers.map((name) => ({ name, role: "server" as const, faults: processFaults })),
    ...consumers.map((name) => ({ name, role: "consumer" as const, faults: processFaults })),
  ];
  return {
    nodes,
    endpoints: ["clients", ...brokers, ...controllers, ...consumers],
    links: [
      ...brokers.map((b) => link("clients", b)),
      ...(shape ? clusterLinks(shape).map(({ name, from, to }) => ({ name, from, to })) : []),
    ],
    consumers,
    ordered: true,
    leaderElection: s.topology.replication > 1,
    leadership: shape !== undefined,
    durability: kafkaDurability(
      s.workload.acks,
      s.topology.topicConfig["flush.messages"] ?? s.topology.config["flush.messages"],
      s.topology.replication,
      s.topology.topicConfig["min.insync.replicas"] ?? s.topology.config["min.insync.replicas"],
    ),
  };
}

/** The design-matrix label of a Kafka-protocol setup: producer acks, plus a forced flush if set. */
export function kafkaDurability(
  acks: number | undefined,
  flushMessages?: unknown,
  replication = 1,
  minInsync?: unknown,
): string {
  const a = acks === undefined ? 1 : acks === -1 ? "all" : acks;
  const parts = [`acks=${a}`];
  if (replication > 1) parts.push(`RF=${replication}`);
  if (replication > 1 && minInsync !== undefined) parts.push(`min.insync=${String(minInsync)}`);
  if (flushMessages !== undefined) parts.push(`flush.messages=${String(flushMessages)}`);
  return parts.join(" · ");
}
