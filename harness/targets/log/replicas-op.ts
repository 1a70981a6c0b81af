/**
 * Builds the op the log target records about its replicas just before the nodes stop
 * (harness/history/op.ts ReplicasOp), read by the replica divergence check.
 */

import type { ReplicasOp } from "../../history/op.ts";

export function replicasOp(
  t: number,
  topic: string,
  partition: number,
  replicas: ReplicasOp["replicas"],
  compacted = false,
): ReplicasOp {
  return {
    t,
    process: "harness",
    type: "info",
    f: "replicas",
    topic,
    partition,
    replicas,
    ...(compacted ? { compacted: true } : {}),
  };
}
