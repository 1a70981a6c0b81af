/**
 * The coordinator side of a distributed run: worker i of the `--workers` list sends slice i/n of
 * the one seeded schedule. Before the load it measures each worker's clock offset (several round
 * trips, the minimum-RTT estimate) and prepares it; then it starts every worker at one instant
 * (each told that instant on its own clock), polls them for send ops, counters, CPU and
 * per-second latency histograms, and feeds the ops into the run's history, where accounting,
 * checkers and reports see one ordinary run. It has the LoadLoop's surface, like WorkerLoad.
 *
 * A worker that stops answering for `lossMs` is lost: every message of its slice it was not seen
 * invoking is recorded as a send with unknown outcome at that moment, and the run fails
 * (FB_WORKER_LOST), so it is errored and never silently smaller.
 */

import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FaultbenchError, isFaultbenchError } from "../errors.ts";
import { slices } from "../generator/slice.ts";
import type { Op, SendOp } from "../history/op.ts";
import type { ProcessCpu } from "../results/types.ts";
import type { LoadCounters } from "../run/load-loop.ts";
import type { Scenario } from "../scenario/load.ts";
import type { Client } from "../targets/target.ts";
import { type ClockSample, estimateOffset, type OffsetEstimate } from "./clock-offset.ts";
import { MergedHistogram } from "./latency-snapshots.ts";
import { unseenSends } from "./lost-sends.ts";
import {
  type ClockReply,
  clockUs,
  type PollReply,
  type PrepareRequest,
  type StartRequest,
} from "./protocol.ts";

export interface RemoteWorkersOption {
  urls: string[];
  token?: string;
}

export interface RemoteLoadDeps {
  client: Pick<Client, "endpoint">;
  /** The resolved scenario text (the run directory's scenario.yaml). */
  scenarioText: string;
  runDir: string;
  now: () => number;
  record: (op: Op) => void;
  onOutcome?: (producer: number, from: number, to: number, type: SendOp["type"]) => void;
  /** Breaks the run (a lost worker). */
  fail: (e: unknown) => void;
  /** Round trips per offset estimate. */
  clockSamples?: number;
  /** A worker silent this long is lost (ms). */
  lossMs?: number;
  pollMs?: number;
  /** How long to wait for a worker that does not answer yet before the load (ms). */
  readyWaitMs?: number;
}

/** results.json's `distributed` section. */
export interface DistributedSummary {
  /** Every op time and end-to-end latency is on this clock; workers' times are mapped onto it. */
  clock: "coordinator";
  workers: {
    url: string;
    slice: string;
    offsetMs: number;
    rttMs: number;
    /** Bound on the offset estimate's error: half the smallest round trip. */
    offsetErrorMs: number;
    cpuS: number;
    acked: number;
    lostAtMs?: number;
  }[];
  /** The largest offset error: how far apart the workers' start instants may really have been. */
  maxOffsetErrorMs: number;
  /** Publish latency (from intended send time) merged from the workers' HDR histograms. */
  publishMerged: { count: number; p50: number; p90: number; p99: number; p999: number; max: number };
  lost: string[];
}

interface RemoteWorker {
  url: string;
  index: number;
  offset?: OffsetEstimate;
  counters: LoadCounters;
  cpuS: number;
  opsCursor: number;
  histCursor: number;
  lastOk: number;
  lastInvoked: Map<number, number>;
  finished: boolean;
  /** When the last reported cpuS was read. */
  cpuAtMs?: number;
  lostAtUs?: number;
}

const KEYS = [
  "offered",
  "sent",
  "acked",
  "failed",
  "indeterminate",
  "inFlight",
  "heldByInFlight",
  "lateTicks",
] as const;
const zero = (): LoadCounters => Object.fromEntries(KEYS.map((k) => [k, 0])) as unknown as LoadCounters;

/** Round trips to a worker's `/v1/clock`, one after the other; the minimum-RTT estimate. */
export async function measureOffset(
  get: (path: "/v1/clock") => Promise<ClockReply>,
  samples: number,
): Promise<OffsetEstimate> {
  const out: ClockSample[] = [];
  for (let i = 0; i < samples; i++) {
    const sentUs = clockUs();
    const r = await get("/v1/clock");
    out.push({ sentUs, workerUs: r.workerUs, receivedUs: clockUs() });
  }
  return estimateOffset(out);
}

export class RemoteLoad {
  private readonly workers: RemoteWorker[];
  private readonly merged = new MergedHistogram();
  private pollers: Promise<void>[] = [];
  private polling = false;
  private started = false;
  private startedAtMs: number | undefined;
  private wake: () => void = () => {};
  private readonly histFile: string;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: RemoteWorkersOption,
    private readonly deps: RemoteLoadDeps,
  ) {
    this.workers = options.urls.map((url, index) => ({
      url,
      index,
      counters: zero(),
      cpuS: 0,
      opsCursor: 0,
      histCursor: 0,
      lastOk: Date.now(),
      lastInvoked: new Map(),
      finished: false,
    }));
    this.histFile = join(deps.runDir, "workers", "publish-histograms.ndjson");
  }

  get counters(): LoadCounters {
    const sum = zero();
    for (const w of this.workers) for (const k of KEYS) sum[k] += w.counters[k];
    return sum;
  }

  private async call<T>(w: RemoteWorker, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const res = await fetch(`${w.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(path === "/v1/prepare" ? 30_000 : 2_000),
    });
    const text = await res.text();
    if (!res.ok) {
      let msg = text;
      try {
        msg = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {}
      throw new FaultbenchError("FB_WORKER_LOST", `worker ${w.url}: ${path} answered ${res.status}: ${msg}`);
    }
    return JSON.parse(text) as T;
  }

  /** Measures every worker's clock offset, then hands each its slice; the workers connect. */
  async prepare(): Promise<void> {
    const endpoint = this.deps.client.endpoint?.();
    if (endpoint === undefined)
      throw new FaultbenchError(
        "FB_USAGE",
        `the ${this.scenario.engine} target cannot send from load workers`,
      );
    mkdirSync(join(this.deps.runDir, "workers"), { recursive: true });
    const parts = slices(this.workers.length);
    const trace = this.scenario.workload.trace;
    const traceText = trace ? readFileSync(trace.file, "utf8") : undefined;
    await Promise.all(
      this.workers.map(async (w) => {
        try {
          await this.reachable(w);
          w.offset = await this.measureOffset(w);
          const req: PrepareRequest = {
            scenario: this.deps.scenarioText,
            slice: parts[w.index] as never,
            endpoint,
            ...(traceText === undefined ? {} : { trace: traceText }),
          };
          await this.call(w, "POST", "/v1/prepare", req);
        } catch (e) {
          throw new FaultbenchError(
            "FB_WORKER_LOST",
            `worker ${w.url} (slice ${w.index + 1}/${this.workers.length}) could not be prepared: ${(e as Error).message}`,
            { cause: e },
          );
        }
      }),
    );
  }

  /** Waits (up to `readyWaitMs`) until the worker answers at all: pods and hosts start late. */
  private async reachable(w: RemoteWorker): Promise<void> {
    const deadline = Date.now() + (this.deps.readyWaitMs ?? 30_000);
    let said = false;
    for (;;) {
      try {
        await this.call<ClockReply>(w, "GET", "/v1/clock");
        return;
      } catch (e) {
        // An HTTP answer (a wrong token, say) is final; only an unreachable worker is waited for.
        if (isFaultbenchError(e) || Date.now() > deadline) throw e;
        if (!said) process.stderr.write(`faultbench: waiting for worker ${w.url} to answer\n`);
        said = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private measureOffset(w: RemoteWorker): Promise<OffsetEstimate> {
    return measureOffset((path) => this.call<ClockReply>(w, "GET", path), this.deps.clockSamples ?? 8);
  }

  /** Starts every worker at one instant and resolves when each has finished or is lost. */
  async run(): Promise<void> {
    this.started = true;
    this.startedAtMs = Date.now();
    const maxRttMs = Math.max(...this.workers.map((w) => (w.offset?.rttUs ?? 0) / 1000));
    const leadUs = Math.round((100 + 3 * maxRttMs) * 1000);
    const runUs = this.deps.now() + leadUs;
    const coordUs = clockUs() + leadUs;
    await Promise.all(
      this.workers.map((w) => {
        const req: StartRequest = { atWorkerUs: coordUs + (w.offset?.offsetUs ?? 0), runUs };
        return this.call(w, "POST", "/v1/start", req);
      }),
    );
    this.polling = true;
    this.pollers = this.workers.map((w) => this.pollLoop(w));
    await this.allFinished();
  }

  private async pollLoop(w: RemoteWorker): Promise<void> {
    const lossMs = this.deps.lossMs ?? 3000;
    while (this.polling && !w.finished && w.lostAtUs === undefined) {
      try {
        const r = await this.call<PollReply>(w, "GET", `/v1/poll?ops=${w.opsCursor}&hist=${w.histCursor}`);
        w.lastOk = Date.now();
        this.take(w, r);
        if (r.state === "done" || r.state === "stopped") {
          w.finished = true;
          this.wake();
          break;
        }
      } catch (e) {
        if (Date.now() - w.lastOk > lossMs) {
          this.lose(w, e);
          break;
        }
      }
      await new Promise((r) => setTimeout(r, this.deps.pollMs ?? 100));
    }
  }

  private take(w: RemoteWorker, r: PollReply): void {
    w.counters = r.counters;
    w.cpuS = r.cpuS;
    w.cpuAtMs = Date.now();
    // Skip what a repeated reply sends again.
    for (const [i, op] of r.ops.entries()) {
      if (r.opsFrom + i < w.opsCursor) continue;
      this.deps.record(op);
      if (op.type === "invoke")
        w.lastInvoked.set(op.producer, Math.max(op.to, w.lastInvoked.get(op.producer) ?? -1));
      else this.deps.onOutcome?.(op.producer, op.from, op.to, op.type);
    }
    w.opsCursor = Math.max(w.opsCursor, r.opsFrom + r.ops.length);
    for (const [i, h] of r.histograms.entries()) {
      if (r.histFrom + i < w.histCursor) continue;
      const count = this.merged.add(h);
      appendFileSync(
        this.histFile,
        `${JSON.stringify({ worker: w.index + 1, second: h.second, count, hdr: h.hdr })}\n`,
      );
    }
    w.histCursor = Math.max(w.histCursor, r.histFrom + r.histograms.length);
    if (r.error) process.stderr.write(`faultbench: worker ${w.url}: ${r.error}\n`);
  }

  /** The worker is gone: what it may have sent is unknown from now on, and the run is broken. */
  private lose(w: RemoteWorker, cause: unknown): void {
    const t = this.deps.now();
    w.lostAtUs = t;
    const n = this.workers.length;
    const slice = { index: w.index, count: n };
    const unseen = unseenSends(this.scenario.workload, this.scenario.seed, slice, w.lastInvoked);
    const worker = `worker-${w.index + 1}`;
    this.deps.record({ t, process: "coordinator", type: "info", f: "worker-lost", worker, url: w.url });
    const error = `${worker} (${w.url}) lost: outcome unknown`;
    for (const [k, r] of unseen.entries()) {
      // Request ids past any a worker numbers, unique per worker.
      const req = 1e12 + k * n + w.index;
      const base = {
        process: `producer-${r.producer}`,
        f: "send" as const,
        req,
        producer: r.producer,
        from: r.from,
        to: r.to,
      };
      this.deps.record({ t, type: "invoke", ...base });
      this.deps.record({ t, type: "info", ...base, error });
    }
    this.wake();
    this.deps.fail(
      new FaultbenchError(
        "FB_WORKER_LOST",
        `${worker} (${w.url}, slice ${w.index + 1}/${n}) stopped answering at ${(t / 1e6).toFixed(3)} s: ${(cause as Error)?.message ?? cause}; its sends from then on count as indeterminate`,
      ),
    );
  }

  private async allFinished(timeoutMs?: number): Promise<void> {
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    while (Date.now() < deadline && this.workers.some((w) => !w.finished && w.lostAtUs === undefined)) {
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200).unref();
      });
    }
  }

  settled(): Promise<void> {
    return this.started ? this.allFinished() : Promise.resolve();
  }

  /** Stops every live worker, collects their last answers (briefly), releases them. */
  async stop(): Promise<void> {
    const live = this.workers.filter((w) => w.lostAtUs === undefined);
    await Promise.all(live.map((w) => this.call(w, "POST", "/v1/stop").catch(() => undefined)));
    if (this.started) await this.allFinished(5000);
    this.polling = false;
    await Promise.all(this.pollers);
    await Promise.all(live.map((w) => this.call(w, "POST", "/v1/release").catch(() => undefined)));
  }

  /**
   * Each remote worker's CPU as a load-path process, so the harness-bound rule sees a saturated
   * worker on another host as it sees a local one. The worker reports CPU seconds since it was
   * prepared; spread over the time from the release to its last answer that is a mean in cores
   * (a slight overestimate: connecting its producers counts too). No per-second peak is known.
   */
  cpuFigures(): ProcessCpu[] {
    const out: ProcessCpu[] = [];
    for (const w of this.workers) {
      if (this.startedAtMs === undefined || w.cpuAtMs === undefined) continue;
      const wallS = (w.cpuAtMs - this.startedAtMs) / 1000;
      if (wallS <= 0.5) continue;
      const meanCores = Math.round((w.cpuS / wallS) * 1000) / 1000;
      out.push({
        name: `worker-${w.index + 1} ${w.url}`,
        role: "client",
        cpuSeconds: Math.round(w.cpuS * 1000) / 1000,
        meanCores,
        peakCores: meanCores,
      });
    }
    return out;
  }

  summary(): DistributedSummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      clock: "coordinator",
      workers: this.workers.map((w) => ({
        url: w.url,
        slice: `${w.index + 1}/${this.workers.length}`,
        offsetMs: ms(w.offset?.offsetUs ?? 0),
        rttMs: ms(w.offset?.rttUs ?? 0),
        offsetErrorMs: ms(w.offset?.errorUs ?? 0),
        cpuS: Math.round(w.cpuS * 1000) / 1000,
        acked: w.counters.acked,
        ...(w.lostAtUs === undefined ? {} : { lostAtMs: ms(w.lostAtUs) }),
      })),
      maxOffsetErrorMs: ms(Math.max(0, ...this.workers.map((w) => w.offset?.errorUs ?? 0))),
      publishMerged: this.merged.summary(),
      lost: this.workers.filter((w) => w.lostAtUs !== undefined).map((w) => w.url),
    };
  }
}
