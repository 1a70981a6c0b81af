/**
 * The `topology` of an `engine: redis` scenario: how many streams carry the load (the partitions
 * of a pull log; a message's key picks its stream), and Redis's own durability settings, passed
 * to redis-server unchanged. RDB snapshots are always off, so `appendonly: no` means nothing
 * survives a restart: the "durability off" end of the design matrix.
 */

import { z } from "zod";
import { duration, obj, posInt } from "../../scenario/schema.ts";

const yesNo = z
  .union([z.boolean(), z.enum(["yes", "no"])], { error: "must be yes or no (or true / false)" })
  .transform((v) => v === true || v === "yes");

export const redisTopologySchema = obj({
  /** Streams the producers spread over, like a log's partitions. */
  streams: posInt("stream count").min(1).max(256).default(4),
  /** redis.conf `appendonly`: write every change to the append-only file. */
  appendonly: yesNo.default(true),
  /** redis.conf `appendfsync`: when the append-only file is fsynced. */
  appendfsync: z.enum(["always", "everysec", "no"]).default("everysec"),
  /** How long an entry stays pending before another consumer reclaims it with XAUTOCLAIM. */
  claimIdle: duration.default(3000),
  /** XREADGROUP COUNT: most entries a consumer reads at once. */
  readCount: posInt("entries per read").min(1).max(10_000).default(500),
});

export type RedisTopology = z.output<typeof redisTopologySchema>;

/** The stream names, `faultbench-0` … */
export function streamNames(t: Pick<RedisTopology, "streams">): string[] {
  return Array.from({ length: t.streams }, (_, i) => `faultbench-${i}`);
}
