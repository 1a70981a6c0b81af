/**
 * `engine: flume` — the `topology:` section for a Flume agent (or chain) the user already runs:
 * the agent's HTTP source the producers post to, the collectors its HTTP sink posts to (the
 * harness serves them, behind a fault proxy at the address the sink is configured with), and the
 * per-node control commands.
 */

import { z } from "zod";
import { duration, nodeName, obj } from "../../scenario/schema.ts";
import { nodeControlFields } from "../command-node.ts";

export const flumeTopologySchema = obj({
  /** The agent the producers post to: its node name in faults and links. */
  agent: nodeName.default("agent"),
  /** host:port of that agent's HTTP source (JSON handler). */
  source: z.string({ error: "is required: host:port of the agent's HTTP source" }),
  /** The source's path. */
  path: z.string().startsWith("/", { error: "starts with /" }).default("/"),
  /**
   * Collectors the harness serves for the agent's HTTP sink: `listen` is the sink's endpoint
   * (host:port on loopback), where the harness's proxy listens in front of the collector.
   */
  collectors: z.record(nodeName, obj({ listen: z.string(), delay: duration.default(0) })),
  /** The durability setting for the design matrix, as the agent is configured (e.g. "file channel"). */
  durability: z.string().default("channel as configured"),
  /** Nodes the faults may name, with their control commands. */
  nodes: z.record(nodeName, obj(nodeControlFields)).default({}),
});

export type FlumeTopology = z.output<typeof flumeTopologySchema>;
