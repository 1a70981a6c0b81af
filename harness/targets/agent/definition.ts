/**
 * `engine: agent` — our push-based channel agent (engines/agent), a chain of agents booted by the
 * harness with the harness's HTTP collectors at its end: its scenario section, topology facts and
 * report wording.
 */

import type { TargetDefinition } from "../target.ts";
import { agentFacts } from "./facts.ts";
import { type ResolvedAgentTopology, resolveAgentTopology } from "./resolve.ts";
import { type AgentTopology, agentTopologySchema } from "./schema.ts";

export const agentTarget: TargetDefinition<ResolvedAgentTopology, AgentTopology> = {
  engine: "agent",
  summary:
    "our push-based channel agent (Flume HTTP contracts), agents and collectors started by the harness",
  topology: agentTopologySchema,
  /** autocannon speaks HTTP: it can drive this target's HTTP source (workload.generator). */
  workloadFields: ["generator"],
  resolve: resolveAgentTopology,
  facts: agentFacts,
  async create(ctx) {
    const { AgentTarget } = await import("./agent-target.ts");
    const target = new AgentTarget(ctx);
    return { target, client: target.client };
  },
  async remoteClient(scenario, endpoint, producers) {
    const { remoteFlumeClient } = await import("../flume/http-client.ts");
    return remoteFlumeClient(scenario.workload, endpoint, producers);
  },
  report: { backlogTitle: "Backlog in the chain" },
};
