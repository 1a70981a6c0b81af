/**
 * Turns a history into results: delivery accounting, latency histograms, per-second series,
 * per-fault availability and recovery, and every check. Pure over (history, scenario): the run
 * computes its results.json with this function, and `faultbench check` calls it again on the
 * stored files and must reach the same verdict.
 */

import { type Checker, runCheckers } from "../checkers/checker.ts";
import { deliveryAccounting, deliveryChecker } from "../checkers/delivery.ts";
import { expectationsChecker, mergeValidity } from "../checkers/expectations.ts";
import { leadershipFaults } from "../checkers/leadership-faults.ts";
import { attributeTruncations, TRUNCATION_ATTRIBUTION_RULE } from "../checkers/loss-attribution.ts";
import { buildMessageTable } from "../checkers/message-table.ts";
import { truncatedReadTimes } from "../checkers/offset-epochs.ts";
import { orderAnomalies } from "../checkers/order-anomalies.ts";
import { intendedTimes } from "../generator/schedule.ts";
import type { DeliverOp, Op, PhaseOp, SendOp } from "../history/op.ts";
import { pairSends, sendCount, sendSeq } from "../history/sends.ts";
import { offeredBins } from "../metrics/availability.ts";
import { channelFillSeries } from "../metrics/channel-fill.ts";
import { consumerGroupEvents } from "../metrics/consumer-group.ts";
import { type FaultPlan, faultFigures, planFaults } from "../metrics/fault-figures.ts";
import { LatencyHistogram } from "../metrics/histogram.ts";
import { type AckTimeline, BIN_US } from "../metrics/recovery.ts";
import type { Check, Results, SeriesRow } from "../results/types.ts";
import { factsOf, type Scenario } from "../scenario/load.ts";
import { targetFor } from "../targets/registry.ts";

export type Analysis = Pick<
  Results,
  | "window"
  | "throughput"
  | "latency"
  | "delivery"
  | "faults"
  | "incidents"
  | "lossAttribution"
  | "checks"
  | "series"
  | "order"
  | "consumerGroup"
  | "deliveredBy"
  | "nodes"
  | "histograms"
>;

export function analyze(history: readonly Op[], scenario: Scenario): Analysis {
  const ops = sentOnlyWithoutAcks(history, scenario);
  const w = scenario.workload;
  const warmupUs = w.warmup * 1000;
  const loadEndUs = (w.warmup + w.duration) * 1000;
  const intended = intendedTimes(w, scenario.seed);
  const sends = pairSends(ops);
  const table = buildMessageTable(ops, sends);
  const delivery = deliveryAccounting(table);
  const plan = planFaults(ops, scenario, warmupUs, loadEndUs);

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
    publishCorrectedP50: null,
    publishCorrectedP99: null,
    e2eUncorrectedP50: null,
    e2eUncorrectedP99: null,
    attemptsCorrectedP50: null,
    attemptsCorrectedP99: null,
    backlog: 0,
  }));
  const secIndex = (us: number) => Math.min(seconds - 1, Math.max(0, Math.floor(us / 1e6)));
  const sec = (us: number) => rows[secIndex(us)] as SeriesRow;
  const e2ePerSec = rows.map(() => new LatencyHistogram());
  const pubPerSec = rows.map(() => new LatencyHistogram());
  const pubCPerSec = rows.map(() => new LatencyHistogram());
  const e2eUPerSec = rows.map(() => new LatencyHistogram());
  const attCPerSec = rows.map(() => new LatencyHistogram());
  const att = new LatencyHistogram();
  const attC = new LatencyHistogram();

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
  /** Every attempt, from its send and from each message's intended time to its outcome at `doneUs`. */
  const attempt = (inv: SendOp, doneUs: number) => {
    const it = intended[inv.producer];
    let measured = 0;
    const n = sendCount(inv);
    for (let i = 0; i < n; i++) {
      const iu = it?.[sendSeq(inv, i)];
      if (iu === undefined || iu < warmupUs) continue;
      measured++;
      attC.record(doneUs - iu);
      attCPerSec[secIndex(doneUs)]?.record(doneUs - iu);
      plan.latency.recordAttempt(iu, doneUs - iu);
    }
    if (measured > 0) att.record(doneUs - inv.t, measured);
  };
  for (const { invoke: inv, completion: s } of sends) {
    const n = sendCount(inv);
    sec(inv.t).sent += n;
    if (!s) {
      // In flight when the run ended: its outcome is unknown; given up when the run ended.
      sec(drainedAtUs).indeterminate += n;
      attempt(inv, Math.max(drainedAtUs, inv.t));
      continue;
    }
    attempt(inv, s.t);
    if (s.type === "ok") {
      sec(s.t).acked += n;
      ackTimes.push(s.t);
      const bi = Math.floor(s.t / BIN_US);
      if (bi >= 0 && bi < bins.length) bins[bi] = (bins[bi] as number) + n;
      if (inWindow(s.t)) ackedInWindow += n;
      const it = intended[inv.producer];
      let measured = 0;
      for (let i = 0; i < n; i++) {
        const iu = it?.[sendSeq(inv, i)];
        if (iu === undefined || iu < warmupUs) continue;
        measured++;
        pubC.record(s.t - iu);
        pubCPerSec[secIndex(s.t)]?.record(s.t - iu);
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
      e2eUPerSec[secIndex(first)]?.record(first - (p.sentUs[q] as number));
      plan.latency.recordEndToEnd(iu, first - iu);
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
    r.publishCorrectedP50 = (pubCPerSec[i] as LatencyHistogram).at(50);
    r.publishCorrectedP99 = (pubCPerSec[i] as LatencyHistogram).at(99);
    r.e2eUncorrectedP50 = (e2eUPerSec[i] as LatencyHistogram).at(50);
    r.e2eUncorrectedP99 = (e2eUPerSec[i] as LatencyHistogram).at(99);
    r.attemptsCorrectedP50 = (attCPerSec[i] as LatencyHistogram).at(50);
    r.attemptsCorrectedP99 = (attCPerSec[i] as LatencyHistogram).at(99);
  });

  ackTimes.sort((a, b) => a - b);
  const timeline: AckTimeline = { bins, ackTimesUs: Float64Array.from(ackTimes) };
  const deliveredTimeline: AckTimeline = { bins: deliveredBins, ackTimesUs: new Float64Array() };
  const facts = factsOf(scenario);
  const { faults, incidents, lossAttribution } = faultFigures(
    plan,
    {
      ops,
      acks: timeline,
      deliveries: deliveredTimeline,
      table,
      offered: offeredBins(intended, bins.length),
    },
    facts.leaderElection ? leadershipFaults(scenario.faults, facts) : undefined,
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
      publishAttempts: { ...att.percentiles(), corrected: attC.percentiles() },
      distribution: {
        publish: { uncorrected: pub.curve(), corrected: pubC.curve() },
        endToEnd: { uncorrected: e2e.curve(), corrected: e2eC.curve() },
      },
    },
    delivery,
    faults,
    incidents,
    lossAttribution,
    checks: [],
    series: rows,
    deliveredBy: deliveredByNode(ops, factsOf(scenario).consumers),
    nodes: channelFillSeries(ops),
    histograms: {
      publish: { uncorrected: pub.encode(), corrected: pubC.encode() },
      endToEnd: { uncorrected: e2e.encode(), corrected: e2eC.encode() },
    },
  };
  const group = consumerGroupEvents(ops);
  if (group) partial.consumerGroup = group;
  // The target's own figures (e.g. per-partition order) and checks.
  const target = targetFor(scenario.engine);
  Object.assign(partial, target?.analyze?.(ops, scenario) ?? {});
  // The log's order figures under Jepsen's names, beside the old ones (aliases).
  if (partial.order) {
    partial.order = {
      ...partial.order,
      ...orderAnomalies(ops, table),
      nonmonotonicPoll: partial.order.rewinds,
      nonmonotonicSend: partial.order.reordered,
    };
    const able = leadershipFaults(scenario.faults, facts);
    chargeTruncations(partial, truncatedReadTimes(ops), plan, able);
  }
  const checkers: Checker[] = [deliveryChecker, ...(target?.checkers ?? []), expectationsChecker];
  partial.checks = runCheckers(checkers, ops, {
    scenario,
    sends,
    table,
    results: partial as unknown as Record<string, unknown>,
  });
  return partial;
}

/**
 * Charges what the consumers read and a later leader epoch truncated to the faults, beside their
 * lost messages (the truncation rule of checkers/loss-attribution.ts).
 */
function chargeTruncations(
  a: Analysis,
  readTimesUs: readonly number[],
  plan: FaultPlan,
  able: ReadonlySet<string>,
): void {
  const applied = plan.timings
    .filter((t) => t.applied && able.has(t.name))
    .map((t) => ({ name: t.name, startUs: t.startUs, endUs: t.healUs, plannedMs: t.plannedMs }));
  const charged = attributeTruncations(readTimesUs, applied);
  for (const f of a.faults) {
    const n = charged.byFault.get(f.name);
    if (n !== undefined) f.truncatedRewritten = n;
  }
  for (const inc of a.incidents ?? []) {
    inc.truncatedRewritten = inc.faults.reduce((s, n) => s + (charged.byFault.get(n) ?? 0), 0);
  }
  if (a.lossAttribution) {
    a.lossAttribution.truncations = { rule: TRUNCATION_ATTRIBUTION_RULE, unattributed: charged.unattributed };
  }
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

/**
 * With acks=0 nothing is confirmed: a send's "ok" only means it left the client. Such sends count
 * as sent with an unknown outcome (info), give no publish-latency sample and can never be "lost".
 */
function sentOnlyWithoutAcks(ops: readonly Op[], s: Scenario): readonly Op[] {
  if ((s.workload as { acks?: unknown }).acks !== 0) return ops;
  return ops.map((o) =>
    o.f === "send" && o.type === "ok"
      ? { ...o, type: "info" as const, error: "acks=0: sent, not confirmed" }
      : o,
  );
}
