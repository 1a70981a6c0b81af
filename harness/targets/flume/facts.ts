/**
 * The external Flume target's topology facts: the nodes under `nodes` (faults as their commands
 * allow), the collectors (`slow` only), one link `producers-><agent>` (always: the producers are
 * the harness's) and one `<agent>-><collector>` per collector (the sink posts to the proxy at the
 * collector's `listen` address).
 */

import { link } from "../../network/links.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { controlFacts } from "../command-node.ts";
import type { TopologyFacts } from "../target.ts";
import type { FlumeTopology } from "./schema.ts";

export function flumeFacts(s: Scenario<FlumeTopology>): TopologyFacts {
  const t = s.topology;
  const collectors = Object.keys(t.collectors);
  const named = Object.keys(t.nodes);
  const agents = named.includes(t.agent) ? named : [t.agent, ...named];
  return {
    nodes: [
      ...agents.map((n) => controlFacts(n, "topology.nodes", t.nodes[n])),
      ...collectors.map((name) => ({ name, role: "collector" as const, faults: ["slow"] as const })),
    ],
    endpoints: ["producers", ...agents, ...collectors],
    links: [link("producers", t.agent), ...collectors.map((c) => link(t.agent, c))],
    consumers: collectors,
    ordered: false,
    durability: t.durability,
  };
}
