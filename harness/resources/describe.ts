/**
 * The resources figures in words, for the run summary: who used how much CPU, and whether the load
 * path (not the engine) was the bottleneck.
 */

import type { Resources } from "../results/types.ts";

const cores = (c: number) => `${c.toFixed(2)}`;

export function resourceLines(r: Resources | undefined, harnessBound: boolean | undefined): string[] {
  if (!r) return [];
  const sum = (role: string) =>
    r.processes.filter((p) => p.role === role).reduce((a, p) => a + p.meanCores, 0);
  const engines = r.processes.filter((p) => p.role === "engine").sort((a, b) => b.meanCores - a.meanCores);
  const top = engines[0];
  const lines = [
    `  cpu         harness ${cores(sum("harness"))}, clients ${cores(sum("client"))}, proxy ${cores(sum("proxy"))}, engines ${cores(sum("engine"))} cores` +
      (top ? ` (busiest ${top.name} ${cores(top.meanCores)})` : "") +
      (r.machineBusyPct === null ? "" : `; machine ${r.machineBusyPct}% busy of ${r.cores} cores`),
  ];
  if (harnessBound) for (const why of r.reasons) lines.push(`  HARNESS-BOUND  ${why}`);
  else lines.push("  bottleneck  not the load path (harness, clients and proxy kept up)");
  for (const note of r.notes) lines.push(`  note        ${note}`);
  return lines;
}
