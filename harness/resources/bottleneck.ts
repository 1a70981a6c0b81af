/**
 * Was the load path the bottleneck? A figure measured while the generator, a client or the fault
 * proxy was out of CPU is theirs, not the engine's, so a run is flagged `harnessBound` when
 *  - the harness sent less than it offered and the engine did not push back (no producer was held
 *    at its in-flight limit): the generator fell behind its own schedule; or
 *  - a load-path process (harness, client, proxy) used ≥ 90% of a core in the measured window
 *    while no engine node did.
 * Pure: figures in, a verdict with its reasons in words out.
 */

import type { ProcessCpu } from "../results/types.ts";

/** The share of a core at which a single-threaded Node process is saturated. */
export const SATURATED_CORES = 0.9;
/** A machine this busy is shared in earnest between the load path and the engine. */
export const SHARED_BUSY = 0.8;
/** Sent below this share of offered means the load did not go out as planned. */
export const SENT_SHORTFALL = 0.98;

export interface LoadFacts {
  offeredPerSec: number;
  sentPerSec: number;
  /** Producer-ticks in which a ready batch waited because the producer was at maxInFlight. */
  heldByInFlight: number;
  /** Generator ticks that came more than 20 ms late (the event loop was busy). */
  lateTicks: number;
}

export interface BottleneckVerdict {
  harnessBound: boolean;
  reasons: string[];
  notes: string[];
}

const pct = (cores: number) => `${Math.round(cores * 100)}%`;
const n = (x: number) => Math.round(x).toLocaleString("en-US");

export function assessBottleneck(
  load: LoadFacts,
  processes: readonly ProcessCpu[],
  machine: { busyCores: number | null; cores: number },
): BottleneckVerdict {
  const reasons: string[] = [];
  const notes: string[] = [];
  const engines = processes.filter((p) => p.role === "engine");
  const busiestEngine = [...engines].sort((a, b) => b.meanCores - a.meanCores)[0];
  const engineSaturated = engines.some((p) => p.meanCores >= SATURATED_CORES);
  const engineText = busiestEngine
    ? `the busiest engine node (${busiestEngine.name}) used ${pct(busiestEngine.meanCores)}`
    : "no engine node was sampled";

  const hot = processes.filter((p) => p.role !== "engine" && p.meanCores >= SATURATED_CORES);
  for (const p of hot) {
    const what = p.role === "harness" ? "the harness process" : `${p.role} ${p.name}`;
    if (engineSaturated) notes.push(`${what} used ${pct(p.meanCores)} of a core, but so did an engine node`);
    else reasons.push(`${what} used ${pct(p.meanCores)} of a core while ${engineText}`);
  }

  if (load.offeredPerSec > 0 && load.sentPerSec < SENT_SHORTFALL * load.offeredPerSec) {
    const short = `sent ${n(load.sentPerSec)}/s of the ${n(load.offeredPerSec)}/s offered`;
    if (load.heldByInFlight > 0)
      notes.push(`${short}: producers were held at their in-flight limit, so the engine pushed back`);
    else
      reasons.push(
        `${short} without the engine pushing back: the load generator fell behind its schedule` +
          (load.lateTicks > 0 ? ` (${n(load.lateTicks)} generator ticks over 20 ms late)` : ""),
      );
  }
  // On one machine the engine gets what the load path leaves: when the cores were mostly busy and
  // the load path used as much as the engine, the figure belongs to the pair, not the engine alone.
  const loadPath = processes.filter((p) => p.role !== "engine").reduce((a, p) => a + p.meanCores, 0);
  const engine = engines.reduce((a, p) => a + p.meanCores, 0);
  if (
    machine.busyCores !== null &&
    machine.busyCores >= SHARED_BUSY * machine.cores &&
    engine > 0 &&
    loadPath >= engine
  )
    notes.push(
      `the load path (harness, clients, proxy) used ${loadPath.toFixed(2)} cores and the engine ${engine.toFixed(2)} while the machine was ${pct(machine.busyCores / machine.cores)} busy: they compete for the same cores, so the figure is the pair's, not the engine's alone (send the load from --workers on other hosts to separate them)`,
    );
  if (machine.busyCores !== null && machine.busyCores >= SATURATED_CORES * machine.cores)
    notes.push(
      `the machine's ${machine.cores} cores were ${pct(machine.busyCores / machine.cores)} busy (every process on it counted): figures are CPU-starved`,
    );
  return { harnessBound: reasons.length > 0, reasons, notes };
}
