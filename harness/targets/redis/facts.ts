/**
 * The Redis target's topology facts, in the one fault model every target shares: the server
 * `redis-1` and the consumers `consumer-N` (each its own process: kill, pause, restart), one link
 * `clients->redis-1` that producers and consumers cross, and the durability setting (appendonly and
 * appendfsync). Redis stream ids are not consecutive, so deliveries carry no offsets and the
 * per-partition order checks do not apply.
 */

import { consumerNames, link } from "../../network/links.ts";
import type { Scenario } from "../../scenario/load.ts";
import type { NodeFacts, TopologyFacts } from "../target.ts";
import type { RedisTopology } from "./topology.ts";

export const redisNode = "redis-1";

const processFaults = ["kill", "pause", "restart"] as const;

export function redisFacts(s: Scenario<RedisTopology>): TopologyFacts {
  const consumers = consumerNames(s.workload.consumers);
  const nodes: NodeFacts[] = [
    {
      name: redisNode,
      role: "server",
      faults: processFaults,
      hint:
        "redis-server is a binary we did not write, so its writes cannot be held back to simulate power loss; " +
        "the nearest honest approximation is kill (with appendfsync everysec) and a restart",
    },
    ...consumers.map((name) => ({ name, role: "consumer" as const, faults: processFaults })),
  ];
  return {
    nodes,
    endpoints: ["clients", redisNode, ...consumers],
    links: [link("clients", redisNode)],
    consumers,
    ordered: false,
    durability: redisDurability(s.topology),
  };
}

export function redisDurability(t: Pick<RedisTopology, "appendonly" | "appendfsync">): string {
  return t.appendonly ? `appendonly yes · appendfsync ${t.appendfsync}` : "appendonly no";
}
