/**
 * A producer batch as one part per partition, so each partition's outcome is recorded on its own:
 * both Kafka clients fail a whole send when any one partition answers with an error. Keyed
 * messages go where the client's own partitioner puts them (placement unchanged); unkeyed ones
 * stay together as one part, since a send sticks them to one partition.
 */

import type { PlannedMessage } from "../../generator/schedule.ts";

export function splitByPartition(
  batch: readonly PlannedMessage[],
  partitionOf: (key: string) => number,
): PlannedMessage[][] {
  const parts = new Map<number, PlannedMessage[]>();
  let unkeyed: PlannedMessage[] | undefined;
  for (const m of batch) {
    if (m.key === undefined) {
      unkeyed ??= [];
      unkeyed.push(m);
      continue;
    }
    const p = partitionOf(m.key);
    const part = parts.get(p);
    if (part) part.push(m);
    else parts.set(p, [m]);
  }
  const out = [...parts.values()];
  if (unkeyed) out.unshift(unkeyed);
  return out;
}
