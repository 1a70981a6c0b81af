/**
 * The HTTP/JSON control API between a coordinator (`faultbench run --workers`) and a remote load
 * worker (`faultbench worker`), after OpenMessaging Benchmark's worker API. Every call carries
 * `Authorization: Bearer <token>` when the worker has a token.
 *
 *   GET  /v1/clock    → ClockReply                       (the offset estimate's round trips)
 *   POST /v1/prepare  PrepareRequest → {ok}              (parse the scenario, connect producers)
 *   POST /v1/start    StartRequest → {ok}                (start sending at a worker-clock instant)
 *   GET  /v1/poll?ops=N&hist=M → PollReply               (everything since the cursors; heartbeat)
 *   POST /v1/stop     → {ok}                             (stop sending; answers still come in)
 *   POST /v1/release  → {ok}                             (close the producers, forget the run)
 *
 * Op times are on the run's timeline (µs since the coordinator's t = 0): the worker maps its own
 * clock onto it with the start instant it was given, which the coordinator computed from the
 * measured offset; so ops arrive already time-corrected.
 */

import type { Slice } from "../generator/slice.ts";
import type { SendOp } from "../history/op.ts";
import type { LoadCounters } from "../run/load-loop.ts";

export interface ClockReply {
  /** The worker's clock (performance.timeOrigin + performance.now()), µs. */
  workerUs: number;
}

export interface PrepareRequest {
  /** The resolved scenario as YAML (the run directory's scenario.yaml). */
  scenario: string;
  slice: Slice;
  /** The target client's endpoint (Client.endpoint()). */
  endpoint: unknown;
  /**
   * With a `workload.trace`: the trace file's text, read on the coordinator. The trace lives on the
   * coordinator's disk, so it travels with the scenario; every worker replays its slice of it.
   */
  trace?: string;
}

export interface StartRequest {
  /** Worker-clock instant (µs) at which the run's timeline reads `runUs`. */
  atWorkerUs: number;
  runUs: number;
}

export interface HistogramSnapshot {
  /** Second of the run's timeline the acks fell in. */
  second: number;
  /** Publish latency from intended send time, µs: hdr-histogram-js compressed base64. */
  hdr: string;
}

export interface PollReply {
  /** Ops from index `opsFrom` on (the cursor sent may be behind: a lost reply is sent again). */
  opsFrom: number;
  ops: SendOp[];
  histFrom: number;
  histograms: HistogramSnapshot[];
  counters: LoadCounters;
  /** CPU seconds (user + system) this worker process has used since the run was prepared. */
  cpuS: number;
  state: "idle" | "prepared" | "running" | "done" | "stopped";
  error?: string;
}

/** The worker's clock, µs, monotonic within a process and close to wall time. */
export function clockUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
