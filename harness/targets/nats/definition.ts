/**
 * `engine: nats` — NATS JetStream, a push broker we did not write (Debian's nats-server): its
 * scenario section, topology facts and report wording. The server and the clients load only when a run starts.
 */

import { findBinary, peersInstallHint } from "../shared/foreign-binary.ts";
import type { TargetDefinition } from "../target.ts";
import { natsFacts } from "./facts.ts";
import { type NatsTopology, natsTopologySchema } from "./topology.ts";

export const natsTarget: TargetDefinition<NatsTopology> = {
  engine: "nats",
  summary: "NATS JetStream (Debian nats-server): a durable push consumer with explicit acks, one queue group",
  topology: natsTopologySchema,
  facts: natsFacts,
  unavailable: () =>
    findBinary("nats-server")
      ? undefined
      : `nats-server is not installed; install it with: ${peersInstallHint}`,
  async create(ctx) {
    const { NatsTarget, NatsClient } = await import("./nats-target.ts");
    const target = new NatsTarget(ctx);
    return { target, client: new NatsClient(() => target.clientPort, ctx.scenario) };
  },
  async remoteClient(scenario, endpoint) {
    const { remoteNatsClient } = await import("./nats-target.ts");
    return remoteNatsClient(scenario, endpoint);
  },
  report: { backlogTitle: "Unacknowledged backlog" },
};
