/**
 * Turns a history into results: delivery accounting, latency histograms, per-second series,
 * per-fault availability and recovery, and every check. Pure over (history, scenario): the run
 * computes its results.json with this function, and `faultbench check` calls it again on the
 * stored files and must reach the same verdict.
 */

import { type Checker, runCheckers } from "../checkers/checker.ts";
import { deliveryAccounting, deliveryChecker } from "../checkers/delivery.ts";
import { expectationsChecker, mergeValidity } from "../checkers/expectations.ts";
import { ACKED, buildMessageTable, type MessageTable } from "../checkers/message-table.ts";
import { intendedTimes } from "../generator/schedule.ts";
import type { DeliverOp, NemesisOp, Op, PhaseOp } from "../history/op.ts";
import { pairSends, type SendPair } from "../history/sends.ts";
import { channelFillSeries } from "../metrics/channel-fill.ts";
import { LatencyHistogram } from "../metrics/histogram.ts";
import { type AckTimeline, BIN_US, longestGap, meanRate, recoveredAt } from "../metrics/recovery.ts";
import type { Check, FaultResult, Results, SeriesRow } from "../results/types.ts";
import { factsOf, type Scenario } from "../scenario/load.ts";
import { targetFor } from "../targets/registry.ts";

export type Analysis = Pick<
  Results,
  | "window"
  | "throughput"
  | "latency"
  | "delivery"
  | "faults"
  | "checks"
  | "series"
  | "order"
  | "deliveredBy"
  | "nodes"
  | "histograms"
>;

export function analyze(ops: readonly Op[], scenario: Scenario): Analysis {
  const w = scenario.workload;
  const warmupUs = w.warmup * 1000;
  const loadEndUs = (w.warmup + w.duration) * 1000;
  const intended = intendedTimes(w, scenario.seed);
  const sends = pairSends(ops);
  const table = buildMessageTable(ops, sends);
  const delivery = deliveryAccounting(table);

  const drainedAtUs = (ops.find((o) => o.f === "phase" && (o as PhaseOp).phase === "done")?.t ??
    loadEndUs) as number;
  const seconds = Math.max(1, Math.ceil(Math.max(drainedAtUs, loadEndUs) / 1e6));
  const rows: SeriesRow[] = Array.from({ length: seconds }, (_, t) => ({
    t,
    offered: 0,
    sent: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    delivered: 0,
    e2eP50: null,
    e2eP99: null,
    e2eMax: null,
    publishP50: null,
    publishP99: null,
    backlog: 0,
  }));
  const secIndex = (us: number) => Math.min(seconds - 1, Math.max(0, Math.floor(us / 1e6)));
  const sec = (us: number) => rows[secIndex(us)] as SeriesRow;
  const e2ePerSec = rows.map(() => new LatencyHistogram());
  const pubPerSec = rows.map(() => new LatencyHistogram());

  const pub = new LatencyHistogram();
  const pubC = new LatencyHistogram();
  const e2e = new LatencyHistogram();
  const e2eC = new LatencyHistogram();
  let offeredInWindow = 0;
  let sentInWindow = 0;
  let ackedInWindow = 0;
  let deliveredInWindow = 0;
  const inWindow = (us: number) => us >= warmupUs && us < loadEndUs;

  for (const list of intended) {
    for (const t of list) {
      sec(t).offered++;
      if (inWindow(t)) offeredInWindow++;
    }
  }

  const bins = new Float64Array(Math.ceil(Math.max(drainedAtUs, loadEndUs) / BIN_US) + 1);
  const ackTimes: number[] = [];
  for (const { invoke: inv, completion: s } of sends) {
    const n = inv.to - inv.from + 1;
    sec(inv.t).sent += n;
    if (!s) {
      // In flight when the run ended: its outcome is unknown.
      sec(drainedAtUs).indeterminate += n;
      continue;
    }
    if (s.type === "ok") {
      sec(s.t).acked += n;
      ackTimes.push(s.t);
      const bi = Math.floor(s.t / BIN_US);
      if (bi >= 0 && bi < bins.length) bins[bi] = (bins[bi] as number) + n;
      if (inWindow(s.t)) ackedInWindow += n;
      const it = intended[inv.producer];
      let measured = 0;
      for (let q = inv.from; q <= inv.to; q++) {
        const iu = it?.[q];
        if (iu === undefined || iu < warmupUs) continue;
        measured++;
        pubC.record(s.t - iu);
      }
      if (measured > 0) {
        pub.record(s.t - inv.t, measured);
        pubPerSec[secIndex(s.t)]?.record(s.t - inv.t, measured);
      }
    } else if (s.type === "fail") {
      sec(s.t).failed += n;
    } else {
      sec(s.t).indeterminate += n;
    }
  }
  for (const op of ops) if (op.f === "deliver") sec(op.t).delivered += op.to - op.from + 1;

  // One pass over every message: delivered-per-bin timeline, backlog deltas, end-to-end latency
  // and the window counts.
  const backlogDelta = new Float64Array(seconds + 1);
  const deliveredBins = new Float64Array(bins.length);
  table.producers.forEach((p, producer) => {
    const it = intended[producer];
    for (let q = 0; q < p.state.length; q++) {
      if (p.state[q] !== 0 && inWindow(p.sentUs[q] as number)) sentInWindow++;
      const acked = p.ackedUs[q] as number;
      const first = p.firstDeliveredUs[q] as number;
      if (!Number.isNaN(acked)) {
        backlogDelta[secIndex(acked)] = (backlogDelta[secIndex(acked)] as number) + 1;
        if (!Number.isNaN(first)) {
          const j = secIndex(Math.max(acked, first));
          backlogDelta[j] = (backlogDelta[j] as number) - 1;
        }
      }
      if (Number.isNaN(first)) continue;
      const bi = Math.floor(first / BIN_US);
      if (bi >= 0 && bi < deliveredBins.length) deliveredBins[bi] = (deliveredBins[bi] as number) + 1;
      if (inWindow(first)) deliveredInWindow++;
      const iu = it?.[q];
      if (iu === undefined || iu < warmupUs) continue;
      e2eC.record(first - iu);
      e2e.record(first - (p.sentUs[q] as number));
      e2ePerSec[secIndex(first)]?.record(first - iu);
    }
  });
  let backlog = 0;
  rows.forEach((r, i) => {
    backlog += backlogDelta[i] as number;
    r.backlog = backlog;
  });
  rows.forEach((r, i) => {
    const h = e2ePerSec[i] as LatencyHistogram;
    r.e2eP50 = h.at(50);
    r.e2eP99 = h.at(99);
    r.e2eMax = h.at(100);
    const ph = pubPerSec[i] as LatencyHistogram;
    r.publishP50 = ph.at(50);
    r.publishP99 = ph.at(99);
  });

  ackTimes.sort((a, b) => a - b);
  const timeline: AckTimeline = { bins, ackTimesUs: Float64Array.from(ackTimes) };
  const deliveredTimeline: AckTimeline = { bins: deliveredBins, ackTimesUs: new Float64Array() };
  const faults = faultResults(
    ops,
    sends,
    scenario,
    { acks: timeline, deliveries: deliveredTimeline, table },
    warmupUs,
    loadEndUs,
  );

  const windowS = w.duration / 1000;
  const r3 = (n: number) => Math.round(n * 1000) / 1000;
  const partial: Analysis = {
    window: {
      warmupMs: w.warmup,
      measureStartMs: w.warmup,
      measureEndMs: w.warmup + w.duration,
      drainedAtMs: r3(drainedAtUs / 1000),
    },
    throughput: {
      offeredPerSec: r3(offeredInWindow / windowS),
      sentPerSec: r3(sentInWindow / windowS),
      ackedPerSec: r3(ackedInWindow / windowS),
      deliveredPerSec: r3(deliveredInWindow / windowS),
    },
    latency: {
      publish: { ...pub.percentiles(), corrected: pubC.percentiles() },
      endToEnd: { ...e2e.percentiles(), corrected: e2eC.percentiles() },
      distribution: {
        publish: { uncorrected: pub.curve(), corrected: pubC.curve() },
        endToEnd: { uncorrected: e2e.curve(), corrected: e2eC.curve() },
      },
    },
    delivery,
    faults,
    checks: [],
    series: rows,
    deliveredBy: deliveredByNode(ops, factsOf(scenario).consumers),
    nodes: channelFillSeries(ops),
    histograms: {
      publish: { uncorrected: pub.encode(), corrected: pubC.encode() },
      endToEnd: { uncorrected: e2e.encode(), corrected: e2eC.encode() },
    },
  };
  // The target's own figures (e.g. per-partition order) and checks.
  const target = targetFor(scenario.engine);
  Object.assign(partial, target?.analyze?.(ops, scenario) ?? {});
  const checkers: Checker[] = [deliveryChecker, ...(target?.checkers ?? []), expectationsChecker];
  partial.checks = runCheckers(checkers, ops, {
    scenario,
    sends,
    table,
    results: partial as unknown as Record<string, unknown>,
  });
  return partial;
}

/** Whether every check held (unknown counts as not holding). */
export function allHeld(checks: readonly Check[]): boolean {
  return mergeValidity(checks) === true;
}

/** Deliveries per consumer-side node; a message counts once per node that received it. */
function deliveredByNode(ops: readonly Op[], nodes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(nodes.map((n) => [n, 0]));
  for (const op of ops) {
    if (op.f !== "deliver") continue;
    const node = (op as DeliverOp).node ?? op.process;
    out[node] = (out[node] ?? 0) + (op as DeliverOp).to - (op as DeliverOp).from + 1;
  }
  return out;
}

interface Timelines {
  acks: AckTimeline;
  deliveries: AckTimeline;
  table: MessageTable;
}

function faultResults(
  ops: readonly Op[],
  sends: readonly SendPair[],
  scenario: Scenario,
  tl: Timelines,
  warmupUs: number,
  loadEndUs: number,
): FaultResult[] {
  const byName = new Map<string, NemesisOp[]>();
  /** Failed or timed-out sends: when each was sent and when it came back. */
  const troubles: { sentUs: number; doneUs: number }[] = [];
  for (const op of ops) {
    if (op.process !== "nemesis") continue;
    const n = op as NemesisOp;
    const list = byName.get(n.fault) ?? [];
    list.push(n);
    byName.set(n.fault, list);
  }
  for (const { invoke, completion } of sends) {
    if (completion?.type === "fail" || completion?.type === "info")
      troubles.push({ sentUs: invoke.t, doneUs: completion.t });
  }
  troubles.sort((a, b) => a.doneUs - b.doneUs);
  const ms = (us: number) => Math.round(us / 100) / 10;
  const out: FaultResult[] = [];
  for (const f of scenario.faults) {
    const list = byName.get(f.name);
    if (!list || list.length === 0) continue;
    const startUs = (list[0] as NemesisOp).t;
    const endUs = (list[list.length - 1] as NemesisOp).t;
    // Baseline: the measured stretch before the fault, or everything before it if that is short.
    const from = startUs - warmupUs < 1e6 ? 0 : warmupUs;
    // Without a second of load before the fault there is no pre-fault mean to recover to.
    const measurable = startUs >= 1e6;
    const ackRec = measurable
      ? recoveredAt(tl.acks, endUs, meanRate(tl.acks, from, startUs), loadEndUs)
      : undefined;
    const delRec = measurable
      ? recoveredAt(tl.deliveries, endUs, meanRate(tl.deliveries, from, startUs), loadEndUs)
      : undefined;
    const rec = ackRec === undefined || delRec === undefined ? undefined : Math.max(ackRec, delRec);
    // Unavailability is the fault's own: from its start to the first ack after its heal, never past
    // the end of the load (no ack is expected after it), so a later fault's gap is not borrowed.
    const firstAckAfterHeal = tl.acks.ackTimesUs.find((t) => t >= endUs);
    const reach = Math.max(startUs, Math.min(firstAckAfterHeal ?? loadEndUs, loadEndUs));
    // Detection: the first send that failed or timed out after the fault started, among those sent
    // or answered while it held (one sent during the fault may time out after the heal).
    const firstTrouble = troubles.find(
      (t) => t.doneUs >= startUs && (t.doneUs <= endUs || (t.sentUs >= startUs && t.sentUs <= endUs)),
    )?.doneUs;
    const w = windowStats(tl.table, startUs, endUs);
    out.push({
      name: f.name,
      kind: f.kind,
      target: f.target,
      startMs: ms(startUs),
      endMs: ms(endUs),
      unavailableMs: ms(longestGap(tl.acks, startUs, reach)),
      recoveryMs: rec === undefined ? null : ms(rec - endUs),
      detectMs: firstTrouble === undefined ? null : ms(firstTrouble - startUs),
      ackRecoveryMs: ackRec === undefined ? null : ms(ackRec - endUs),
      deliveryRecoveryMs: delRec === undefined ? null : ms(delRec - endUs),
      backlogDrainedMs: w.drainedUs === undefined ? null : ms(Math.max(0, w.drainedUs - endUs)),
      inWindow: w.inWindow,
      outsideWindow: w.outside,
    });
  }
  return out;
}

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
