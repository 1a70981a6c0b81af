/**
 * Delivery accounting, after Jepsen's total-queue checker: of the messages attempted, which were
 * acked, failed or left indeterminate, which were delivered, lost (acked, never delivered),
 * duplicated, recovered (indeterminate yet delivered), and which deliveries were never sent at all.
 * The check itself is valid when nothing unexpected arrived; whether loss or duplicates are
 * acceptable is the scenario's call, made through its expectations.
 */

import type { Check, Delivery } from "../results/types.ts";
import type { Checker } from "./checker.ts";
import { ACKED, ATTEMPTED, FAILED, INFO, type MessageTable } from "./message-table.ts";

export function deliveryAccounting(table: MessageTable): Delivery {
  const d: Delivery = {
    attempted: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    duplicateDeliveries: 0,
    unexpected: table.unexpectedDeliveries,
    recovered: 0,
    failedButDelivered: 0,
    corrupted: table.corruptedDeliveries ?? 0,
  };
  for (const p of table.producers) {
    const n = p.state.length;
    for (let q = 0; q < n; q++) {
      const st = p.state[q] as number;
      if (st === 0) continue;
      d.attempted++;
      const times = p.delivered[q] as number;
      if (times > 0) d.delivered++;
      if (times > 1) {
        d.duplicated++;
        d.duplicateDeliveries += times - 1;
      }
      if (st === ACKED) {
        d.acked++;
        if (times === 0) d.lost++;
      } else if (st === FAILED) {
        d.failed++;
        if (times > 0) d.failedButDelivered++;
      } else if (st === INFO || st === ATTEMPTED) {
        d.indeterminate++;
        if (times > 0) d.recovered++;
      }
    }
  }
  return d;
}

export function deliveryCheck(d: Delivery): Check {
  const detail =
    `attempted ${d.attempted}, acked ${d.acked}, failed ${d.failed}, indeterminate ${d.indeterminate}; ` +
    `delivered ${d.delivered}, lost ${d.lost}, duplicated ${d.duplicated}, recovered ${d.recovered}, unexpected ${d.unexpected}`;
  return {
    name: "delivery",
    valid: d.unexpected === 0,
    detail: d.corrupted ? `${detail}, corrupted ${d.corrupted}` : detail,
  };
}

/** The delivery check as a Checker: accounting over the context's message table. */
export const deliveryChecker: Checker = {
  name: "delivery",
  check: (_history, context) => deliveryCheck(deliveryAccounting(context.table)),
};
