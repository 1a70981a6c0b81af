/**
 * The `topology` of an `engine: nats` scenario (NATS JetStream): one stream whose subjects are the
 * partitions (a message's key picks its subject), its storage — `file` (kept across a restart: the
 * "durability on" end of the design matrix) or `memory` (gone when the server stops: "off") — and
 * the push consumer's flow settings: how long a delivered message may stay unacknowledged before
 * the server delivers it again (to any member of the group), and how many may be outstanding.
 */

import { z } from "zod";
import { duration, obj, posInt } from "../../scenario/schema.ts";

export const natsTopologySchema = obj({
  /** Subjects the producers spread over, like a log's partitions. */
  partitions: posInt("subject count").min(1).max(256).default(4),
  /** JetStream stream storage. */
  storage: z.enum(["file", "memory"]).default("file"),
  /** Consumer `ack_wait`: unacknowledged this long, a message is delivered again. */
  ackWait: duration.default(5000),
  /** Consumer `max_ack_pending`: most delivered-but-unacknowledged messages (like a prefetch). */
  maxAckPending: posInt("messages").min(1).max(1_000_000).default(2000),
});

export type NatsTopology = z.output<typeof natsTopologySchema>;

export const streamName = "FAULTBENCH";
export const durableName = "faultbench";
/** Where the push consumer delivers, and the queue group every consumer process joins. */
export const deliverSubject = "faultbench-deliver";
export const deliverGroup = "faultbench";

export function subjectNames(t: Pick<NatsTopology, "partitions">): string[] {
  return Array.from({ length: t.partitions }, (_, i) => `faultbench.${i}`);
}
