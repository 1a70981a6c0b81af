/**
 * Per-fault and per-incident figures, each from the sends its fault could have affected:
 * - a fault's window runs from its first step to its heal (for a kill or restart with a restart,
 *   the restart command; the new process's start-up is `restartMs`);
 * - detection and unavailability look only at the fault's own stretch, before any later fault
 *   began; a fault that started while an earlier one was active and had already shown trouble
 *   cannot be separated from it, so its figures are null and its incident carries them;
 * - recovery compares with the last fault-free stretch after the warmup (availability.ts);
 * - lost messages follow the loss-attribution rule (checkers/loss-attribution.ts).
 * `planFaults` needs only the nemesis ops, so the analysis can feed the stretch latencies while it
 * reads the sends; `faultFigures` finishes the job once the timelines are built.
 */

import { faultApplication } from "../checkers/fault-applied.ts";
import { groupIncidents, type IncidentGroup, overlaps } from "../checkers/incidents.ts";
import {
  attributeLoss,
  DESTROYING_KINDS,
  LOSS_ATTRIBUTION_RULE,
  REPLICATED_LOSS_ATTRIBUTION_RULE,
  secondCopyTimes,
} from "../checkers/loss-attribution.ts";
import { ACKED, type MessageTable } from "../checkers/message-table.ts";
import type { NemesisOp, Op, SendOp } from "../history/op.ts";
import type { FaultResult, IncidentResult, PhaseLatency } from "../results/types.ts";
import type { Scenario } from "../scenario/load.ts";
import { baselineStretch, unavailableRun, type Window } from "./availability.ts";
import { type AckTimeline, BIN_US, longestGap, meanRate, recoveredAt } from "./recovery.ts";
import { StretchLatencies } from "./stretch-latency.ts";

/** How long after a heal the "after" latency stretch lasts: the recovery hold. */
export const AFTER_US = 3_000_000;
/**
 * An earlier fault counts as having caused trouble (so a later overlapping fault cannot be
 * separated from it) when a send failed or timed out in its own stretch, or its own unavailability
 * reached this: one slow 100 ms bucket on a busy machine is noise, not an outage.
 */
export const TROUBLE_MIN_UNAVAILABLE_MS = 500;

interface Timing {
  name: string;
  kind: string;
  target: string;
  optional: boolean;
  applied: boolean;
  error?: string;
  startUs: number;
  healUs: number;
  /** The scenario's `at` (ms into the run). */
  plannedMs: number;
  restartMs: number | null;
  /** reassign: from the request until the move completed (null when it did not). */
  moveMs?: number | null;
}

interface Stretches {
  before: number;
  during: number;
  after: number;
}

export interface FaultPlan {
  timings: Timing[];
  incidents: IncidentGroup[];
  /** Baseline stretch per incident. */
  baselines: (Window | undefined)[];
  latency: StretchLatencies;
  faultStretches: Map<string, Stretches>;
  incidentStretches: Stretches[];
  warmupUs: number;
  loadEndUs: number;
}

const ms = (us: number) => Math.round(us / 100) / 10;

export function planFaults(
  ops: readonly Op[],
  scenario: Scenario,
  warmupUs: number,
  loadEndUs: number,
): FaultPlan {
  const byName = new Map<string, NemesisOp[]>();
  for (const op of ops) {
    if (op.process !== "nemesis") continue;
    const n = op as NemesisOp;
    const list = byName.get(n.fault) ?? [];
    list.push(n);
    byName.set(n.fault, list);
  }
  const timings: Timing[] = [];
  for (const f of scenario.faults) {
    const steps = byName.get(f.name);
    if (!steps || steps.length === 0) continue;
    const app = faultApplication(steps);
    const startUs = (steps[0] as NemesisOp).t;
    let healUs = (steps[steps.length - 1] as NemesisOp).t;
    let restartMs: number | null = null;
    const startInvoke = steps.find((s) => s.f === "start" && s.type === "invoke");
    if (startInvoke) {
      // The heal is the restart command; replay and recovery until ready are the restart's own time.
      healUs = startInvoke.t;
      const ready = steps.find((s) => s.f === "start" && s.type === "ok" && s.t >= startInvoke.t);
      restartMs = ready ? ms(ready.t - startInvoke.t) : null;
    }
    const asked = steps.find((s) => s.f === "reassign" && s.type === "invoke");
    const moved = steps.find((s) => s.f === "reassigned" && s.type === "ok");
    timings.push({
      ...(f.kind === "reassign" ? { moveMs: asked && moved ? ms(moved.t - asked.t) : null } : {}),
      name: f.name,
      kind: f.kind,
      target: f.target,
      optional: (f as { optional?: boolean }).optional === true,
      applied: app.applied,
      ...("error" in app ? { error: app.error } : {}),
      startUs,
      healUs,
      plannedMs: f.at,
      restartMs,
    });
  }
  const applied = timings.filter((t) => t.applied);
  const windows = applied.map((t) => ({ name: t.name, startUs: t.startUs, endUs: t.healUs }));
  const incidents = groupIncidents(windows);
  const baselines = incidents.map((inc) => baselineStretch(windows, warmupUs, inc.startUs));
  const latency = new StretchLatencies([]);
  const stretches = (startUs: number, healUs: number, base: Window | undefined): Stretches => ({
    before: latency.add(base),
    during: latency.add({ startUs, endUs: Math.max(healUs, startUs + 1) }),
    after: latency.add({ startUs: healUs, endUs: Math.min(healUs + AFTER_US, loadEndUs) }),
  });
  const faultStretches = new Map<string, Stretches>();
  for (const t of applied) {
    const i = incidents.findIndex((inc) => inc.faults.includes(t.name));
    faultStretches.set(t.name, stretches(t.startUs, t.healUs, baselines[i]));
  }
  const incidentStretches = incidents.map((inc, i) => stretches(inc.startUs, inc.endUs, baselines[i]));
  return { timings, incidents, baselines, latency, faultStretches, incidentStretches, warmupUs, loadEndUs };
}

export interface FaultInputs {
  ops: readonly Op[];
  acks: AckTimeline;
  deliveries: AckTimeline;
  table: MessageTable;
  /** Offered messages per 100 ms bucket: the expected ack rate where there is no baseline. */
  offered: Float64Array;
}

interface Trouble {
  sentUs: number;
  doneUs: number;
}

export function faultFigures(
  plan: FaultPlan,
  inp: FaultInputs,
  /** On a replicated log: the faults that could move leadership (they may destroy acked writes). */
  leadership?: ReadonlySet<string>,
): {
  faults: FaultResult[];
  incidents: IncidentResult[];
  lossAttribution: { rule: string; unattributed: number };
} {
  const { loadEndUs } = plan;
  const troubles: Trouble[] = [];
  const sentAt = new Map<number, number>();
  for (const op of inp.ops) {
    if (op.f !== "send") continue;
    const s = op as SendOp;
    if (s.type === "invoke") sentAt.set(s.req, s.t);
    else if (s.type === "fail" || s.type === "info")
      troubles.push({ sentUs: sentAt.get(s.req) ?? s.t, doneUs: s.t });
  }
  troubles.sort((a, b) => a.doneUs - b.doneUs);
  const applied = plan.timings.filter((t) => t.applied);
  const loss = attributeLoss(
    inp.table,
    applied
      .filter((t) => DESTROYING_KINDS.has(t.kind) || leadership?.has(t.name))
      .map((t) =>
        DESTROYING_KINDS.has(t.kind)
          ? { name: t.name, startUs: t.startUs, plannedMs: t.plannedMs }
          : { name: t.name, startUs: t.startUs, endUs: t.healUs, plannedMs: t.plannedMs },
      ),
  );

  const detect = (startUs: number, healUs: number, limitUs: number) =>
    troubles.find(
      (t) =>
        t.doneUs >= startUs &&
        t.doneUs < limitUs &&
        (t.doneUs <= healUs || (t.sentUs >= startUs && t.sentUs <= healUs)),
    )?.doneUs;
  const expectedFor = (base: Window | undefined) => {
    if (!base) return (b: number) => (inp.offered[b] as number | undefined) ?? 0;
    const perBin = (meanRate(inp.acks, base.startUs, base.endUs) * BIN_US) / 1e6;
    return () => perBin;
  };
  const maxAckGap = (startUs: number, healUs: number) => {
    const firstAckAfterHeal = inp.acks.ackTimesUs.find((t) => t >= healUs);
    const reach = Math.max(startUs, Math.min(firstAckAfterHeal ?? loadEndUs, loadEndUs));
    return ms(longestGap(inp.acks, startUs, reach));
  };
  /** Recovery from `healUs` against the baseline, before `limitUs`; a reason when there is none. */
  const recovery = (
    healUs: number,
    base: Window | undefined,
    limitUs: number,
    limitWhat: string,
  ): Recovery => {
    if (!base) {
      return { reason: "no fault-free stretch of 1 s after the warmup before it: no baseline to recover to" };
    }
    const ackBase = meanRate(inp.acks, base.startUs, base.endUs);
    const delBase = meanRate(inp.deliveries, base.startUs, base.endUs);
    if (ackBase <= 0 || delBase <= 0) {
      return { reason: "zero baseline: the fault-free stretch before it had no acks or no deliveries" };
    }
    const a = recoveredAt(inp.acks, healUs, ackBase, limitUs);
    const d = recoveredAt(inp.deliveries, healUs, delBase, limitUs);
    const out = {
      ack: a === undefined ? null : ms(a - healUs),
      delivery: d === undefined ? null : ms(d - healUs),
      total: a === undefined || d === undefined ? null : ms(Math.max(a, d) - healUs),
      baseline: {
        fromMs: ms(base.startUs),
        toMs: ms(base.endUs),
        ackedPerSec: round(ackBase),
        deliveredPerSec: round(delBase),
      },
    };
    return out.total === null
      ? { ...out, reason: `not back to 90% of the baseline for 3 s before ${limitWhat}` }
      : out;
  };
  const phase = (s: Stretches): PhaseLatency => ({
    before: plan.latency.get(s.before),
    during: plan.latency.get(s.during) ?? { endToEnd: null, publishAttempts: null },
    after: plan.latency.get(s.after),
  });

  // Incidents first: a fault that cannot be separated points at its incident's figures.
  const second = secondCopyTimes(inp.ops, inp.table);
  const incidents: IncidentResult[] = plan.incidents.map((inc, i) => {
    const next = plan.incidents[i + 1]?.startUs ?? Number.POSITIVE_INFINITY;
    const limit = Math.min(next, loadEndUs);
    const base = plan.baselines[i];
    const d = detect(inc.startUs, inc.endUs, next);
    const rec = recovery(
      inc.endUs,
      base,
      limit,
      Number.isFinite(next) ? "the next incident began" : "the load ended",
    );
    const nullReasons: Record<string, string> = {};
    if (rec.reason) nullReasons.recoveryMs = rec.reason;
    return {
      faults: inc.faults,
      startMs: ms(inc.startUs),
      endMs: ms(inc.endUs),
      detectMs: d === undefined ? null : ms(d - inc.startUs),
      unavailableMs: ms(unavailableRun(inp.acks, expectedFor(base), inc.startUs, inc.endUs, limit)),
      maxAckGapMs: maxAckGap(inc.startUs, inc.endUs),
      recoveryMs: rec.total ?? null,
      lost: inc.faults.reduce((s, n) => s + (loss.byFault.get(n) ?? 0), 0),
      duplicated: second.filter((t) => t >= inc.startUs && t < next).length,
      latency: phase(plan.incidentStretches[i] as Stretches),
      baseline: rec.baseline ?? null,
      ...(Object.keys(nullReasons).length ? { nullReasons } : {}),
    };
  });

  const overlapping = overlaps(applied.map((t) => ({ name: t.name, startUs: t.startUs, endUs: t.healUs })));
  const own = new Map<string, { troubled: boolean }>();
  const byStart = [...plan.timings].sort((a, b) => a.startUs - b.startUs);
  const results = new Map<string, FaultResult>();
  for (const t of byStart) {
    const w = windowStats(inp.table, t.startUs, t.healUs);
    const common = {
      name: t.name,
      kind: t.kind,
      target: t.target,
      applied: t.applied,
      ...(t.error === undefined ? {} : { error: t.error }),
      ...(t.optional ? { optional: true } : {}),
      startMs: ms(t.startUs),
      endMs: ms(t.healUs),
      restartMs: t.restartMs,
      ...(t.moveMs === undefined ? {} : { moveMs: t.moveMs }),
      inWindow: w.inWindow,
      outsideWindow: w.outside,
    };
    if (!t.applied) {
      results.set(t.name, {
        ...common,
        overlapsWith: [],
        incident: null,
        detectMs: null,
        unavailableMs: null,
        maxAckGapMs: null,
        recoveryMs: null,
        ackRecoveryMs: null,
        deliveryRecoveryMs: null,
        backlogDrainedMs: null,
        baseline: null,
        lost: 0,
        latency: { before: null, during: { endToEnd: null, publishAttempts: null }, after: null },
        nullReasons: { all: `not applied: ${t.error ?? "the fault's first step did not complete"}` },
      });
      continue;
    }
    const ii = plan.incidents.findIndex((inc) => inc.faults.includes(t.name));
    const inc = plan.incidents[ii] as IncidentGroup;
    const nextFault = applied.find((o) => o.startUs > t.startUs);
    const next = nextFault?.startUs ?? Number.POSITIVE_INFINITY;
    const limit = Math.min(next, loadEndUs);
    const nullReasons: Record<string, string> = {};
    // Separable unless an earlier fault still active at this one's start had already shown trouble
    // (or both started together).
    const blocker = applied.find(
      (o) =>
        o !== t &&
        o.startUs <= t.startUs &&
        t.startUs <= o.healUs &&
        (o.startUs === t.startUs || own.get(o.name)?.troubled !== false),
    );
    let detectMs: number | null = null;
    let unavailableMs: number | null = null;
    const base = plan.baselines[ii];
    if (blocker) {
      const why = `${blocker.name} was active when it began and had already caused trouble: see incidents[${ii}]`;
      nullReasons.detectMs = why;
      nullReasons.unavailableMs = why;
      own.set(t.name, { troubled: true });
    } else {
      const d = detect(t.startUs, t.healUs, next);
      detectMs = d === undefined ? null : ms(d - t.startUs);
      unavailableMs = ms(unavailableRun(inp.acks, expectedFor(base), t.startUs, t.healUs, limit));
      own.set(t.name, { troubled: detectMs !== null || unavailableMs >= TROUBLE_MIN_UNAVAILABLE_MS });
    }
    const laterHeal = applied.find((o) => o !== t && inc.faults.includes(o.name) && o.healUs > t.healUs);
    let rec: Recovery;
    if (laterHeal) {
      const full = recovery(t.healUs, base, limit, "");
      rec = {
        reason: `${laterHeal.name} was still active at the heal: see incidents[${ii}]`,
        ...(full.baseline ? { baseline: full.baseline } : {}),
      };
    } else {
      rec = recovery(t.healUs, base, limit, nextFault ? `${nextFault.name} began` : "the load ended");
    }
    if (rec.reason) nullReasons.recoveryMs = rec.reason;
    results.set(t.name, {
      ...common,
      overlapsWith: overlapping.get(t.name) ?? [],
      incident: ii,
      detectMs,
      unavailableMs,
      maxAckGapMs: maxAckGap(t.startUs, t.healUs),
      recoveryMs: rec.total ?? null,
      ackRecoveryMs: rec.ack ?? null,
      deliveryRecoveryMs: rec.delivery ?? null,
      backlogDrainedMs: w.drainedUs === undefined ? null : ms(Math.max(0, w.drainedUs - t.healUs)),
      baseline: rec.baseline ?? null,
      lost: loss.byFault.get(t.name) ?? 0,
      latency: phase(plan.faultStretches.get(t.name) as Stretches),
      ...(Object.keys(nullReasons).length ? { nullReasons } : {}),
    });
  }
  return {
    faults: plan.timings.map((t) => results.get(t.name) as FaultResult),
    incidents,
    lossAttribution: {
      rule: leadership ? REPLICATED_LOSS_ATTRIBUTION_RULE : LOSS_ATTRIBUTION_RULE,
      unattributed: loss.unattributed,
    },
  };
}

interface Recovery {
  ack?: number | null;
  delivery?: number | null;
  total?: number | null;
  baseline?: FaultResult["baseline"];
  reason?: string;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Loss and duplicates inside and outside [startUs, endUs] by send time, and when the backlog acked before the heal drained. */
function windowStats(table: MessageTable, startUs: number, endUs: number) {
  const inWindow = { sent: 0, lost: 0, duplicated: 0 };
  const outside = { sent: 0, lost: 0, duplicated: 0 };
  let drainedUs: number | undefined = endUs;
  let neverArrived = false;
  for (const p of table.producers) {
    for (let q = 0; q < p.state.length; q++) {
      if (p.state[q] === 0) continue;
      const sent = p.sentUs[q] as number;
      const bucket = sent >= startUs && sent <= endUs ? inWindow : outside;
      bucket.sent++;
      const times = p.delivered[q] as number;
      if (p.state[q] === ACKED && times === 0) bucket.lost++;
      if (times > 1) bucket.duplicated++;
      const acked = p.ackedUs[q] as number;
      const first = p.firstDeliveredUs[q] as number;
      if (!Number.isNaN(acked) && acked < endUs) {
        if (Number.isNaN(first)) neverArrived = true;
        else if (first > (drainedUs ?? 0)) drainedUs = first;
      }
    }
  }
  // A backlog with acked messages that never arrived did not drain: it was lost.
  return { inWindow, outside, drainedUs: neverArrived ? undefined : drainedUs };
}
