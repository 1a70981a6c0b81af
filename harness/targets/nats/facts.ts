/**
 * The NATS target's topology facts, in the one fault model every target shares: the server
 * `nats-1` and the consumers `consumer-N` (each its own process: kill, pause, restart), one link
 * `clients->nats-1` that producers and consumers cross, and the durability setting (the stream's
 * storage). Deliveries carry no offsets: a stream with memory storage starts its sequence numbers
 * again after a restart, so they do not identify a message across a run.
 */

import { consumerNames, link } from "../../network/links.ts";
import type { Scenario } from "../../scenario/load.ts";
import type { NodeFacts, TopologyFacts } from "../target.ts";
import type { NatsTopology } from "./topology.ts";

export const natsNode = "nats-1";

const processFaults = ["kill", "pause", "restart"] as const;

export function natsFacts(s: Scenario<NatsTopology>): TopologyFacts {
  const consumers = consumerNames(s.workload.consumers);
  const nodes: NodeFacts[] = [
    {
      name: natsNode,
      role: "server",
      faults: processFaults,
      hint:
        "nats-server is a binary we did not write, so its writes cannot be held back to simulate power loss; " +
        "use kill and a restart (a process crash, not a machine crash)",
    },
    ...consumers.map((name) => ({ name, role: "consumer" as const, faults: processFaults })),
  ];
  return {
    nodes,
    endpoints: ["clients", natsNode, ...consumers],
    links: [link("clients", natsNode)],
    consumers,
    ordered: false,
    durability: `storage ${s.topology.storage}`,
  };
}
