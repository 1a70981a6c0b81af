/**
 * The agent target's cross-field rules: sink targets name existing agents or collectors, several
 * sinks need a processor, batch sizes fit the channel's transaction, failover priorities differ;
 * and the entry agent defaults to the first one.
 */

import type { ParsedScenario } from "../../scenario/scenario.ts";
import type { Problem } from "../target.ts";
import type { AgentTopology } from "./schema.ts";

/** The topology with its entry agent resolved. */
export type ResolvedAgentTopology = AgentTopology & { entry: string };

export function resolveAgentTopology(
  t: AgentTopology,
  _s: ParsedScenario,
  p: Problem,
): ResolvedAgentTopology {
  const agents = Object.keys(t.agents);
  const collectors = Object.keys(t.collectors);
  const all = [...agents, ...collectors];
  if (agents.length === 0) p("topology.agents", "needs at least one agent");
  for (const n of agents) {
    if (collectors.includes(n)) p(`topology.collectors.${n}`, `"${n}" is already the name of an agent`);
  }
  if (all.includes("producers"))
    p("topology", `"producers" names the load generators; call the node something else`);
  const entry = t.entry ?? agents[0] ?? "";
  if (t.entry !== undefined && !agents.includes(t.entry)) {
    p("topology.entry", `no agent named "${t.entry}"; agents: ${agents.join(", ")}`);
  }
  for (const [name, a] of Object.entries(t.agents)) {
    a.sinks.forEach((target, i) => {
      if (!all.includes(target)) {
        p(`topology.agents.${name}.sinks[${i}]`, `no node named "${target}"; nodes: ${all.join(", ")}`);
      } else if (target === name) {
        p(`topology.agents.${name}.sinks[${i}]`, "an agent cannot sink to itself");
      }
    });
    if (a.channel.keepAlive !== undefined && a.channel.keepAlive % 1000 !== 0) {
      p(
        `topology.agents.${name}.channel.keepAlive`,
        "Flume's keep-alive is whole seconds: write 0s, 1s, 3s …",
      );
    }
    if (new Set(a.sinks).size !== a.sinks.length) p(`topology.agents.${name}.sinks`, "lists a target twice");
    if (a.sinks.length > 1 && a.processor === undefined) {
      p(`topology.agents.${name}.processor`, "is required with several sinks: failover or load_balance");
    }
    const txCap = a.channel.transactionCapacity ?? (a.channel.type === "memory" ? 100 : 10_000);
    const batch = a.batchSize ?? 100;
    if (batch > txCap) {
      p(
        `topology.agents.${name}.batchSize`,
        `${batch} is more than the channel's transactionCapacity (${txCap}); a sink takes its batch in one transaction`,
      );
    }
    if (a.processor?.type === "failover" && a.processor.priority) {
      const values = Object.values(a.processor.priority);
      if (new Set(values).size !== values.length) {
        p(
          `topology.agents.${name}.processor.priority`,
          "priorities must differ (Flume requires unique priorities)",
        );
      }
      for (const k of Object.keys(a.processor.priority)) {
        if (!a.sinks.includes(k)) {
          p(
            `topology.agents.${name}.processor.priority.${k}`,
            `not one of this agent's sinks (${a.sinks.join(", ")})`,
          );
        }
      }
    }
  }
  return { ...t, entry };
}
