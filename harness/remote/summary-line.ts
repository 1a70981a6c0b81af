/** The run summary's `workers` line for a distributed run (results.distributed). */

import type { DistributedSummary } from "./remote-load.ts";

export function distributedLine(d: DistributedSummary | undefined): string[] {
  if (!d) return [];
  const lost = d.lost.length > 0 ? `; LOST ${d.lost.join(", ")}` : "";
  return [
    `  workers     ${d.workers.length} remote (${d.workers.map((w) => `${w.slice} ${w.acked.toLocaleString("en-US")} acked, ${w.cpuS} cpu-s`).join("; ")}); times on the coordinator's clock, offset error ≤ ${d.maxOffsetErrorMs} ms${lost}`,
  ];
}
