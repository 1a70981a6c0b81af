/**
 * `engine: redis` — Redis Streams, a pull log we did not write (Debian's redis-server): its
 * scenario section, topology facts and report wording. The server and the clients load only when
 * a run starts.
 */

import { findBinary, peersInstallHint } from "../shared/foreign-binary.ts";
import type { TargetDefinition } from "../target.ts";
import { redisFacts } from "./facts.ts";
import { type RedisTopology, redisTopologySchema } from "./topology.ts";

export const redisTarget: TargetDefinition<RedisTopology> = {
  engine: "redis",
  summary: "Redis Streams (Debian redis-server): XADD producers, one consumer group with XAUTOCLAIM",
  topology: redisTopologySchema,
  facts: redisFacts,
  unavailable: () =>
    findBinary("redis-server")
      ? undefined
      : `redis-server is not installed; install it with: ${peersInstallHint}`,
  async create(ctx) {
    const { RedisTarget, RedisClient } = await import("./redis-target.ts");
    const target = new RedisTarget(ctx);
    return { target, client: new RedisClient(() => target.clientPort, ctx.scenario) };
  },
  async remoteClient(scenario, endpoint) {
    const { remoteRedisClient } = await import("./redis-target.ts");
    return remoteRedisClient(scenario, endpoint);
  },
  report: { backlogTitle: "Consumer group backlog" },
};
