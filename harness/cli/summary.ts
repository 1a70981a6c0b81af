/**
 * The short text summary printed after each run and after a suite.
 */

import { distributedLine } from "../remote/summary-line.ts";
import { resourceLines } from "../resources/describe.ts";
import type { Results } from "../results/types.ts";

const n = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

export function runSummary(r: Results, runDir: string): string {
  const d = r.delivery;
  const lines = [
    `${r.scenario}: ${r.status.toUpperCase()}${r.error ? ` — ${r.error.message.split("\n")[0]}` : ""}`,
    `  throughput  offered ${n(r.throughput.offeredPerSec)}/s, acked ${n(r.throughput.ackedPerSec)}/s, delivered ${n(r.throughput.deliveredPerSec)}/s`,
    `  publish     p50 ${ms(r.latency.publish.corrected.p50)}, p99 ${ms(r.latency.publish.corrected.p99)}, max ${ms(r.latency.publish.corrected.max)} (from intended send time)`,
    `  end to end  p50 ${ms(r.latency.endToEnd.corrected.p50)}, p99 ${ms(r.latency.endToEnd.corrected.p99)}, max ${ms(r.latency.endToEnd.corrected.max)} (from intended send time)`,
    `  delivery    attempted ${n(d.attempted)}, acked ${n(d.acked)}, failed ${n(d.failed)}, indeterminate ${n(d.indeterminate)}, delivered ${n(d.delivered)}`,
    `              lost ${n(d.lost)}, duplicated ${n(d.duplicated)}, recovered ${n(d.recovered)}, unexpected ${n(d.unexpected)}`,
  ];
  const opt = (v: number | null, what: string) => (v === null ? `${what} —` : `${what} ${v.toFixed(0)} ms`);
  for (const f of r.faults) {
    lines.push(
      `  fault       ${f.name} (${f.kind} ${f.target}): ${f.startMs.toFixed(0)}–${f.endMs.toFixed(0)} ms; ` +
        `${opt(f.detectMs, "detected")}, unavailable ${f.unavailableMs.toFixed(0)} ms, ` +
        `${f.recoveryMs === null ? "no recovery measured (no pre-fault baseline, or not back within the run)" : `recovered ${f.recoveryMs.toFixed(0)} ms after the heal`}, ` +
        `${opt(f.backlogDrainedMs, "backlog drained")}; lost ${f.inWindow.lost} in / ${f.outsideWindow.lost} outside the window`,
    );
  }
  if (r.order) {
    lines.push(
      `  order       ${r.order.partitions} partitions: ${r.order.reordered} reordered, ${r.order.inconsistentOffsets} inconsistent offsets, ${r.order.gaps} gaps, ${r.order.rewinds} rewinds`,
    );
  }
  lines.push(...resourceLines(r.resources, r.harnessBound));
  lines.push(...distributedLine(r.distributed));
  for (const c of r.checks) {
    lines.push(
      `  ${c.valid === true ? "ok  " : c.valid === false ? "FAIL" : "??? "}  ${c.name}: ${c.detail}`,
    );
  }
  lines.push(`  run directory: ${runDir}`);
  return lines.join("\n");
}

export function suiteSummary(
  rows: { results: Results; runDir: string }[],
  suiteDir: string | undefined,
): string {
  const lines = ["", "scenario                              status   acked/s    e2e p99     lost    dup"];
  for (const { results: r } of rows) {
    lines.push(
      `${r.scenario.padEnd(38)}${r.status.padEnd(9)}${n(r.throughput.ackedPerSec).padStart(7)}  ${ms(r.latency.endToEnd.corrected.p99).padStart(10)}  ${n(r.delivery.lost).padStart(7)}${n(r.delivery.duplicated).padStart(7)}`,
    );
  }
  if (suiteDir) lines.push("", `results: ${suiteDir}`);
  return lines.join("\n");
}
