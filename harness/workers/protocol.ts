/**
 * The messages between the harness and its load workers (Node IPC, JSON). The harness releases
 * every worker at once with `go` (k6-operator's paused runners, released together) and its clock;
 * workers stream their send ops back in small batches and say `done` when their slice is sent
 * and answered.
 */

import type { SendOp } from "../history/op.ts";
import type { LoadCounters } from "../run/load-loop.ts";

export type ToWorker =
  /** Start sending; `nowUs` is the harness's clock (µs since the load started) when it sent this. */
  { type: "go"; nowUs: number } | { type: "stop" };

export type FromWorker =
  | { type: "ops"; ops: SendOp[]; counters: LoadCounters }
  | { type: "done"; counters: LoadCounters }
  | { type: "error"; message: string };

/** Request ids stay unique across workers: worker i of n numbers its requests i, i+n, i+2n, … */
export function globalReq(localReq: number, index: number, count: number): number {
  return localReq * count + index;
}
