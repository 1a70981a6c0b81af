/**
 * The agent target's `topology:` section: agents (channel, sinks, sink processor, batch size,
 * raw Flume properties) and the harness's HTTP collectors at the end of the chain.
 */

import { z } from "zod";
import { duration, nodeName, obj, posInt } from "../../scenario/schema.ts";

const channelSchema = obj({
  type: z.enum(["memory", "file"]),
  capacity: posInt("events").min(1).optional(),
  transactionCapacity: posInt("events").min(1).optional(),
  keepAlive: duration.optional(),
  fsyncPerTransaction: z.boolean().optional(),
  checkpointInterval: duration.optional(),
});

const processorSchema = z.discriminatedUnion("type", [
  obj({ type: z.literal("default") }),
  obj({
    type: z.literal("failover"),
    priority: z.record(z.string(), posInt("priority")).optional(),
    maxPenalty: duration.optional(),
  }),
  obj({
    type: z.literal("load_balance"),
    selector: z.enum(["round_robin", "random"]).default("round_robin"),
    backoff: z.boolean().default(true),
    maxTimeOut: duration.optional(),
  }),
]);

const agentSchema = obj({
  channel: channelSchema,
  /** Where this agent's sinks post: other agents or collectors, one sink each. */
  sinks: z.array(nodeName).min(1, { error: "an agent needs at least one sink target" }),
  processor: processorSchema.optional(),
  batchSize: posInt("events per sink request").min(1).optional(),
  requestTimeout: duration.optional(),
  /** Raw Flume properties for this agent, relative to its name (e.g. `channels.c1.keep-alive: 1`). */
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const collectorSchema = obj({
  /** Extra time before each response, to model a slow terminal store. */
  delay: duration.default(0),
});

export const agentTopologySchema = obj({
  /** The agent the producers send to; the first agent when omitted. */
  entry: nodeName.optional(),
  agents: z.record(nodeName, agentSchema),
  collectors: z.record(nodeName, collectorSchema).default({ collector: { delay: 0 } }),
});

export type AgentTopology = z.output<typeof agentTopologySchema>;
export type AgentSpec = AgentTopology["agents"][string];
