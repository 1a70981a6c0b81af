/**
 * The short text summary printed after each run and after a suite.
 */

import { consumerGroupLines } from "../metrics/consumer-group.ts";
import { distributedLine } from "../remote/summary-line.ts";
import { resourceLines } from "../resources/describe.ts";
import type { PhaseLatency, Results, StretchLatency, Tail } from "../results/types.ts";

const n = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

export function runSummary(r: Results, runDir: string): string {
  const d = r.delivery;
  const lines = [
    `${r.scenario}: ${r.status.toUpperCase()}${r.error ? ` — ${r.error.message.split("\n")[0]}` : ""}`,
    `  throughput  offered ${n(r.throughput.offeredPerSec)}/s, acked ${n(r.throughput.ackedPerSec)}/s, delivered ${n(r.throughput.deliveredPerSec)}/s`,
    `  publish     p50 ${ms(r.latency.publish.corrected.p50)}, p99 ${ms(r.latency.publish.corrected.p99)}, max ${ms(r.latency.publish.corrected.max)} (acked sends, from intended send time)`,
    ...(r.latency.publishAttempts
      ? [
          `  attempts    p50 ${ms(r.latency.publishAttempts.corrected.p50)}, p99 ${ms(r.latency.publishAttempts.corrected.p99)}, max ${ms(r.latency.publishAttempts.corrected.max)} (every send until ok, fail or given up, from intended send time)`,
        ]
      : []),
    `  end to end  p50 ${ms(r.latency.endToEnd.corrected.p50)}, p99 ${ms(r.latency.endToEnd.corrected.p99)}, max ${ms(r.latency.endToEnd.corrected.max)} (from intended send time)`,
    `  delivery    attempted ${n(d.attempted)}, acked ${n(d.acked)}, failed ${n(d.failed)}, indeterminate ${n(d.indeterminate)}, delivered ${n(d.delivered)}`,
    `              lost ${n(d.lost)}, duplicated ${n(d.duplicated)}, recovered ${n(d.recovered)}, unexpected ${n(d.unexpected)}`,
  ];
  const opt = (v: number | null | undefined, what: string) =>
    v === null || v === undefined ? `${what} —` : `${what} ${v.toFixed(0)} ms`;
  for (const f of r.faults) {
    if (f.applied === false) {
      lines.push(
        `  fault       ${f.name} (${f.kind} ${f.target}): NOT APPLIED${f.optional ? " (optional)" : ""}: ${f.error ?? "?"}`,
      );
      continue;
    }
    const why = f.nullReasons ?? {};
    lines.push(
      `  fault       ${f.name} (${f.kind} ${f.target}): ${f.startMs.toFixed(0)}–${f.endMs.toFixed(0)} ms` +
        `${f.overlapsWith?.length ? `, overlaps ${f.overlapsWith.join(", ")}` : ""}; ` +
        `${f.detectMs === null && why.detectMs ? "detected — (see incident)" : opt(f.detectMs, "detected")}, ` +
        `${f.unavailableMs === null ? "unavailable — (see incident)" : `unavailable ${f.unavailableMs.toFixed(0)} ms`}` +
        `${f.maxAckGapMs == null ? "" : ` (longest ack gap ${f.maxAckGapMs.toFixed(0)} ms)`}, ` +
        `${f.recoveryMs === null ? `no recovery figure (${why.recoveryMs ?? "not back within the run"})` : `recovered ${f.recoveryMs.toFixed(0)} ms after the heal`}` +
        `${f.restartMs == null ? "" : `, restart took ${f.restartMs.toFixed(0)} ms`}` +
        `${f.kind !== "reassign" ? "" : f.moveMs == null ? ", the move did not complete" : `, the move took ${f.moveMs.toFixed(0)} ms`}, ` +
        `${opt(f.backlogDrainedMs, "backlog drained")}; lost ${f.lost ?? f.inWindow.lost} charged to it` +
        `${f.truncatedRewritten ? `, ${f.truncatedRewritten} read then truncated and rewritten` : ""}`,
    );
    if (f.latency) lines.push(`              p99 ${phaseLine(f.latency)}`);
  }
  (r.incidents ?? []).forEach((inc, i) => {
    if (inc.faults.length < 2) return;
    lines.push(
      `  incident    #${i} ${inc.faults.join(" + ")}: ${inc.startMs.toFixed(0)}–${inc.endMs.toFixed(0)} ms; ` +
        `${opt(inc.detectMs, "detected")}, ${opt(inc.unavailableMs, "unavailable")}, ` +
        `${inc.recoveryMs === null ? `no recovery figure (${inc.nullReasons?.recoveryMs ?? "not back within the run"})` : `recovered ${inc.recoveryMs.toFixed(0)} ms after the last heal`}; ` +
        `lost ${inc.lost}, duplicated ${inc.duplicated}` +
        `${inc.truncatedRewritten ? `, ${inc.truncatedRewritten} read then truncated and rewritten` : ""}`,
    );
    lines.push(`              p99 ${phaseLine(inc.latency)}`);
  });
  if (r.lossAttribution && r.lossAttribution.unattributed > 0) {
    lines.push(
      `  loss        ${n(r.lossAttribution.unattributed)} lost with no fault that could explain it (${r.lossAttribution.rule})`,
    );
  }
  if (r.order) {
    lines.push(
      `  order       ${r.order.partitions} partitions: ${r.order.reordered} reordered (nonmonotonicSend), ${r.order.inconsistentOffsets} inconsistent offsets, ${r.order.truncatedRewritten ?? 0} truncated then rewritten, ${r.order.gaps} gaps, ${r.order.rewinds} rewinds (nonmonotonicPoll)` +
        (r.order.lostWrite === undefined
          ? ""
          : `; lostWrite ${r.order.lostWrite}, unseen ${r.order.unseen}, duplicate ${r.order.duplicate}, pollSkip ${r.order.pollSkip}`),
    );
  }
  if (r.leadership) {
    const l = r.leadership;
    lines.push(
      `  leadership  ${l.partitions} partitions at the end: ${Object.entries(l.byBroker)
        .map(([b, c]) => `${b} ${c}`)
        .join(", ")}; ${l.notPreferred} not on their preferred replica, ${l.offline} offline`,
    );
  }
  if (r.consumerGroup) {
    consumerGroupLines(r.consumerGroup).forEach((l, i) => {
      lines.push(`  ${i === 0 ? "consumers  " : "           "} ${l}`);
    });
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

/** "e2e before 5.1 / during 2009 / after 8.0 ms; attempts before … ". */
function phaseLine(l: PhaseLatency): string {
  const one = (pick: (x: StretchLatency) => Tail | null) =>
    ["before", "during", "after"]
      .map((k) => {
        const st = l[k as keyof PhaseLatency];
        const t = st ? pick(st) : null;
        return `${k} ${t ? ms(t.p99) : "—"}`;
      })
      .join(" / ");
  return `end to end ${one((x) => x.endToEnd)}; attempts ${one((x) => x.publishAttempts)}`;
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
