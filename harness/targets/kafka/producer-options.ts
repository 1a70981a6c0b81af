/**
 * The producer options of Kafka-protocol scenarios (`workload.client`, `retries`, `idempotent`):
 * their names, defaults and cross-field rules, checked when a scenario is loaded. Kept apart from
 * the producers so validating a scenario loads no client library.
 */

import type { Workload } from "../../scenario/schema.ts";
import type { Problem } from "../target.ts";

/** Workload fields of the producers, on top of `acks`. */
export const producerWorkloadFields = ["client", "retries", "idempotent"] as const;

/** The client used when a scenario names none: the faster one in `npm run bench:log` (b). */
export const DEFAULT_LOG_CLIENT: "kafkajs" | "platformatic" = "platformatic";

/**
 * Client retries when idempotence is on and the scenario names no count: enough to outlast a few
 * seconds of outage, since a send that gives up leaves the JavaScript clients' sequence numbers
 * behind the broker's (see platformatic-producer.ts).
 */
export const IDEMPOTENT_DEFAULT_RETRIES = 10;

export function checkProducerOptions(w: Workload, p: Problem): void {
  if (w.idempotent && w.acks !== -1) {
    p("workload.idempotent", "idempotent producers need acks: all (add `acks: all` to the workload)");
  }
  if (w.idempotent && w.retries === 0) {
    p("workload.retries", "idempotence is pointless without retries; remove `retries: 0` or the idempotence");
  }
}
