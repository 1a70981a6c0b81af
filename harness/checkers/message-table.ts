/**
 * Per-message state rebuilt from a history: for every producer, one slot per sequence number
 * holding the send outcome, the send and ack times, and how often it was delivered. Typed arrays
 * keep ten million messages at a few hundred megabytes at most.
 */

import type { DeliverOp, Op } from "../history/op.ts";
import { pairSends, type SendPair } from "../history/sends.ts";

export const NONE = 0;
export const ATTEMPTED = 1;
export const FAILED = 2;
export const INFO = 3;
export const ACKED = 4;

export interface ProducerTable {
  /** Send outcome per seq: NONE, ATTEMPTED (no answer), FAILED, INFO, ACKED. */
  state: Uint8Array;
  /** Actual send time (µs) of each message's request; NaN if never sent. */
  sentUs: Float64Array;
  /** Ack time (µs); NaN unless acked. */
  ackedUs: Float64Array;
  /** Deliveries per message (saturating at 65535). */
  delivered: Uint16Array;
  /** First delivery time (µs); NaN if never delivered. */
  firstDeliveredUs: Float64Array;
}

export interface MessageTable {
  producers: ProducerTable[];
  /** Deliveries of ids no producer sent (unknown producer or seq never attempted), and unparsed bodies. */
  unexpectedDeliveries: number;
  /** Deliveries whose body failed its checksum. */
  corruptedDeliveries: number;
}

function rank(state: number): number {
  // ACKED beats INFO beats FAILED beats ATTEMPTED: a later definite answer wins over "unknown".
  return state === ACKED ? 4 : state === INFO ? 3 : state === FAILED ? 2 : state === ATTEMPTED ? 1 : 0;
}

/** Builds the table. Pure: the same history gives the same table. */
export function buildMessageTable(
  ops: readonly Op[],
  sends: readonly SendPair[] = pairSends(ops),
): MessageTable {
  const maxSeq: number[] = [];
  for (const { invoke: s } of sends) maxSeq[s.producer] = Math.max(maxSeq[s.producer] ?? -1, s.to);
  const producers: ProducerTable[] = [];
  for (let p = 0; p < maxSeq.length; p++) {
    const n = (maxSeq[p] ?? -1) + 1;
    producers.push({
      state: new Uint8Array(n),
      sentUs: new Float64Array(n).fill(Number.NaN),
      ackedUs: new Float64Array(n).fill(Number.NaN),
      delivered: new Uint16Array(n),
      firstDeliveredUs: new Float64Array(n).fill(Number.NaN),
    });
  }
  for (const { invoke: inv, completion: s } of sends) {
    const tab = producers[inv.producer];
    if (!tab) continue;
    for (let q = inv.from; q <= inv.to; q++) {
      if (tab.state[q] === NONE) tab.state[q] = ATTEMPTED;
      if (Number.isNaN(tab.sentUs[q] as number)) tab.sentUs[q] = inv.t;
    }
    if (!s) {
      // In flight when the run ended: its outcome is unknown.
      for (let q = inv.from; q <= inv.to; q++) if (tab.state[q] === ATTEMPTED) tab.state[q] = INFO;
      continue;
    }
    const st = s.type === "ok" ? ACKED : s.type === "fail" ? FAILED : INFO;
    for (let q = inv.from; q <= inv.to; q++) {
      if (rank(st) > rank(tab.state[q] as number)) tab.state[q] = st;
      if (st === ACKED && Number.isNaN(tab.ackedUs[q] as number)) tab.ackedUs[q] = s.t;
    }
  }
  let unexpected = 0;
  let corrupted = 0;
  for (const op of ops) {
    if (op.f === "deliver") {
      const d = op as DeliverOp;
      const tab = producers[d.producer];
      for (let q = d.from; q <= d.to; q++) {
        if (!tab || q >= tab.state.length || tab.state[q] === NONE) {
          unexpected++;
          continue;
        }
        const c = tab.delivered[q] as number;
        if (c === 0) tab.firstDeliveredUs[q] = d.t;
        if (c < 65535) tab.delivered[q] = c + 1;
      }
    } else if (op.f === "deliver-unparsed") {
      if (op.corrupt) corrupted += op.count;
      else unexpected += op.count;
    }
  }
  return { producers, unexpectedDeliveries: unexpected, corruptedDeliveries: corrupted };
}
