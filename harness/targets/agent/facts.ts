/**
 * The agent target's topology facts: agents (kill, pause, restart), the harness's collectors
 * (`slow` only: they model the terminal store), one link per hop (`producers->entry`, `a1->a2`,
 * `a2->collector`), and the durability setting: the channel type.
 */

import { link } from "../../network/links.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import type { TopologyFacts } from "../target.ts";
import type { ResolvedAgentTopology } from "./resolve.ts";

export function agentFacts(s: Scenario<ResolvedAgentTopology>): TopologyFacts {
  const t = s.topology;
  const agents = Object.keys(t.agents);
  const collectors = Object.keys(t.collectors);
  const links = [link("producers", t.entry)];
  for (const [a, spec] of Object.entries(t.agents)) for (const to of spec.sinks) links.push(link(a, to));
  const types = [...new Set(Object.values(t.agents).map((a) => a.channel.type))].sort();
  return {
    nodes: [
      ...agents.map((name) => ({
        name,
        role: "server" as const,
        // power-loss: the agent's storage goes through the lazy file-I/O layer.
        faults: ["kill", "pause", "restart", "power-loss"] as const,
      })),
      ...collectors.map((name) => ({ name, role: "collector" as const, faults: ["slow"] as const })),
    ],
    endpoints: ["producers", ...agents, ...collectors],
    links,
    consumers: collectors,
    ordered: false,
    durability: `${types.join("+")} channel${types.length > 1 ? "s" : ""}`,
  };
}
