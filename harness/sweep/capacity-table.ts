/**
 * The capacity table a sweep with --capacity ends with: per design point the highest rate under the
 * SLOs, the figures at that rate, and how far to trust it — a harness-bound answer is a lower bound,
 * a search the step limit stopped is a bracket, and a machine that was busy makes it noisy.
 */

import type { SweepPoint } from "./types.ts";

const rate = (x: number) => `${Math.round(x).toLocaleString("en-US")}/s`;

/** The answer cell: "64,000/s", "≥ 5,000/s", "64,000–96,000/s" or "none". */
export function answerCell(p: SweepPoint): string {
  const max = p.maxRate ?? null;
  if (p.harnessBound) return max === null ? "none (harness-bound)" : `≥ ${rate(max)}`;
  if (max === null) return "none";
  if (p.searchEnd === "unbounded") return `≥ ${rate(max)}`;
  if (p.searchEnd === "max-steps" && typeof p.brokeAt === "number")
    return `${rate(max).slice(0, -2)}–${rate(p.brokeAt)}`;
  return rate(max);
}

function trust(p: SweepPoint): string {
  const notes: string[] = [];
  if (p.harnessBound) notes.push("harness-bound: the load path's limit, not the engine's");
  else if (p.searchEnd === "max-steps")
    notes.push(p.maxRate == null ? "step limit before any rate held" : "step limit: a bracket");
  else if (p.searchEnd === "converged") notes.push("converged");
  else if (p.searchEnd === "unbounded") notes.push("no step broke the SLOs: a lower bound");
  else if (p.searchEnd === "nothing-good") notes.push("no tested rate held the SLOs");
  else notes.push(p.searchEnd ?? p.status);
  if (typeof p.machineBusyMaxPct === "number" && p.machineBusyMaxPct >= 80)
    notes.push(`machine up to ${Math.round(p.machineBusyMaxPct)}% busy`);
  return notes.join("; ");
}

/** Fixed-width text table, one row per design point. */
export function capacityTable(points: readonly SweepPoint[]): string {
  const head = [
    "design point",
    "engine",
    "max rate",
    "acked",
    "e2e p99 there",
    "lost",
    "how far to trust it",
  ];
  const rows = points.map((p) => [
    p.design,
    p.engine,
    answerCell(p),
    p.maxRate === null || p.maxRate === undefined ? "—" : rate(p.ackedPerSec),
    p.maxRate === null || p.maxRate === undefined ? "—" : `${p.endToEndP99.toFixed(2)} ms`,
    p.maxRate === null || p.maxRate === undefined ? "—" : String(p.lost),
    trust(p),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}
