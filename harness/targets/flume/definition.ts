/**
 * `engine: flume` — a Flume agent the user already runs (ours, `faultbench serve agent`, is the
 * test target): producers post to its HTTP source through a proxy, its HTTP sink posts to the
 * harness's collectors through proxies at the addresses it is configured with, node faults run the
 * user's commands.
 */

import { parseHostPort } from "../../proxy/address.ts";
import { checkControl, checkLoopbackAddress } from "../command-node.ts";
import type { TargetDefinition } from "../target.ts";
import { flumeFacts } from "./facts.ts";
import { type FlumeTopology, flumeTopologySchema } from "./schema.ts";

export const flumeTarget: TargetDefinition<FlumeTopology> = {
  engine: "flume",
  summary: "an external Flume agent: its HTTP source, collectors for its HTTP sink, your node commands",
  topology: flumeTopologySchema,
  /** autocannon speaks HTTP: it can drive this target's HTTP source (workload.generator). */
  workloadFields: ["generator"],
  resolve(t, s, p) {
    if (!parseHostPort(t.source)) p("topology.source", `"${t.source}" is not host:port`);
    const names = Object.keys(t.collectors);
    if (names.length === 0) p("topology.collectors", "needs at least one collector for the agent's sink");
    for (const [name, c] of Object.entries(t.collectors)) {
      checkLoopbackAddress(`topology.collectors.${name}.listen`, c.listen, p);
      if (name === t.agent || t.nodes[name])
        p(`topology.collectors.${name}`, `"${name}" is already the name of an agent node`);
    }
    checkControl("topology.nodes", t.nodes, s, p);
    return t;
  },
  facts: flumeFacts,
  async create(ctx) {
    const [{ ExternalFlumeTarget }, { FlumeHttpClient }] = await Promise.all([
      import("./external-target.ts"),
      import("./http-client.ts"),
    ]);
    const target = new ExternalFlumeTarget(ctx);
    return { target, client: new FlumeHttpClient(() => target.sourceUrl(), ctx.scenario.workload) };
  },
  async remoteClient(scenario, endpoint, producers) {
    const { remoteFlumeClient } = await import("../flume/http-client.ts");
    return remoteFlumeClient(scenario.workload, endpoint, producers);
  },
  report: { backlogTitle: "Backlog in the agent" },
};
