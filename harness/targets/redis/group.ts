/**
 * The consumer group over every stream, created the way an application creates it: from the
 * start of each stream (id 0), creating the stream too; an existing group stays as it is. Called
 * at start-up and again by a consumer that finds the group gone (a restarted Redis that kept
 * nothing).
 */

import type { Redis } from "ioredis";

export async function ensureGroup(redis: Redis, streams: readonly string[], group: string): Promise<void> {
  for (const s of streams) {
    try {
      await redis.xgroup("CREATE", s, group, "0", "MKSTREAM");
    } catch (e) {
      if (!/BUSYGROUP/.test((e as Error).message)) throw e;
    }
  }
}
