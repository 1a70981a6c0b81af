/**
 * `faultbench worker`: a load worker on any host, driven over HTTP/JSON by a coordinator (see
 * protocol.ts). It sends one slice of the run's seeded schedule with the same open-loop LoadLoop
 * and the same target-built producers as the local worker processes, buffers its send ops and
 * per-second latency histograms until the coordinator polls them, and stops sending on its own
 * when the coordinator has not called for `idleMs` (a coordinator that died must not leave load
 * running). Loopback only unless `allowRemote`, which requires a token; with a token every call
 * must carry it.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultbenchError } from "../errors.ts";
import { type Slice, SlicedSchedule } from "../generator/slice.ts";
import type { SendOp } from "../history/op.ts";
import { LoadLoop } from "../run/load-loop.ts";
import type { Scenario } from "../scenario/load.ts";
import { scenarioFromText } from "../scenario/load.ts";
import { globalReq } from "../workers/protocol.ts";
import { connectSender, type Sender } from "../workers/senders.ts";
import { SecondHistograms } from "./latency-snapshots.ts";
import { clockUs, type PollReply, type PrepareRequest, type StartRequest } from "./protocol.ts";
import { tokenMatches } from "./token.ts";

export interface WorkerServerOptions {
  host: string;
  port: number;
  allowRemote: boolean;
  token?: string;
  /** Stop sending when the coordinator has not called for this long (ms). */
  idleMs?: number;
  log?: (line: string) => void;
  /** Called after a coordinator released a run that had started (`worker --once` exits then). */
  onReleased?: () => void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

interface Session {
  scenario: Scenario;
  slice: Slice;
  sender: Sender;
  intended: Map<number, number[]>;
  loop?: LoadLoop;
  base?: { runUs: number; atWorkerUs: number };
  startTimer?: NodeJS.Timeout;
  ops: SendOp[];
  opsBase: number;
  hist: SecondHistograms;
  snapshots: PollReply["histograms"];
  histBase: number;
  state: PollReply["state"];
  error?: string;
  /** process.cpuUsage() when the run was prepared: CPU is reported per run. */
  cpuAtPrepare: NodeJS.CpuUsage;
}

export interface WorkerServer {
  port: number;
  close(): Promise<void>;
}

export async function serveWorker(o: WorkerServerOptions): Promise<WorkerServer> {
  if (!LOOPBACK.test(o.host) && !o.allowRemote)
    throw new FaultbenchError(
      "FB_USAGE",
      `--listen ${o.host}: a worker listens on loopback only unless --allow-remote (with a token)`,
    );
  if (o.allowRemote && !o.token)
    throw new FaultbenchError(
      "FB_USAGE",
      "--allow-remote needs a shared token: put one in a file for --token-file or in FAULTBENCH_WORKER_TOKEN",
    );
  const log = o.log ?? ((l: string) => process.stderr.write(`[worker] ${l}\n`));
  const idleMs = o.idleMs ?? 10_000;
  let session: Session | undefined;
  let lastCall = Date.now();

  const runNow = (s: Session) => (s.base ? s.base.runUs + (clockUs() - s.base.atWorkerUs) : 0);

  const release = async () => {
    const s = session;
    session = undefined;
    if (!s) return;
    if (s.startTimer) clearTimeout(s.startTimer);
    await s.loop?.stop().catch(() => undefined);
    await s.sender.close().catch(() => undefined);
  };

  const prepare = async (req: PrepareRequest) => {
    await release();
    const scenario = scenarioFromText(
      req.scenario,
      "coordinator/scenario.yaml",
      req.trace === undefined ? {} : { traceText: req.trace },
    );
    const slice = req.slice;
    const intended = new Map<number, number[]>();
    const plan = new SlicedSchedule(scenario.workload, scenario.seed, slice);
    for (let m = plan.next(); m !== undefined; m = plan.next()) {
      const l = intended.get(m.producer) ?? [];
      intended.set(m.producer, l);
      l[m.seq] = m.intendedUs;
    }
    const sender = await connectSender(scenario, req.endpoint, intended.size);
    session = {
      scenario,
      slice,
      sender,
      intended,
      ops: [],
      opsBase: 0,
      hist: new SecondHistograms(),
      snapshots: [],
      histBase: 0,
      state: "prepared",
      cpuAtPrepare: process.cpuUsage(),
    };
    log(`prepared slice ${slice.index + 1}/${slice.count} of ${scenario.name}`);
  };

  const start = (req: StartRequest) => {
    const s = session;
    if (s?.state !== "prepared") throw new FaultbenchError("FB_USAGE", "start before prepare");
    s.base = { runUs: req.runUs, atWorkerUs: req.atWorkerUs };
    s.state = "running";
    const go = () => {
      if (session !== s) return;
      const now = () => runNow(s);
      s.loop = new LoadLoop(s.scenario, {
        client: s.sender,
        now,
        slice: s.slice,
        record: (op) => {
          s.ops.push({ ...op, req: globalReq(op.req, s.slice.index, s.slice.count) });
          if (op.type === "ok") {
            const times = s.intended.get(op.producer) ?? [];
            for (let q = op.from; q <= op.to; q++) s.hist.record(op.t, op.t - (times[q] ?? op.t));
          }
        },
      });
      s.loop.run().then(
        async () => {
          await s.loop?.settled();
          if (s.state === "running") s.state = "done";
        },
        (e: unknown) => {
          s.error = String(e);
          s.state = "stopped";
        },
      );
    };
    const waitMs = (req.atWorkerUs - clockUs()) / 1000;
    s.startTimer = setTimeout(go, Math.max(0, waitMs));
  };

  const poll = (opsCursor: number, histCursor: number): PollReply => {
    const s = session;
    if (!s) throw new FaultbenchError("FB_USAGE", "poll before prepare");
    // The coordinator has what lies before its cursors: drop it.
    const dropOps = Math.min(Math.max(0, opsCursor - s.opsBase), s.ops.length);
    s.ops.splice(0, dropOps);
    s.opsBase += dropOps;
    const finished = s.state === "done" || s.state === "stopped";
    const settled = finished && (s.loop?.counters.inFlight ?? 0) === 0;
    s.snapshots.push(...s.hist.take(runNow(s), settled));
    const dropHist = Math.min(Math.max(0, histCursor - s.histBase), s.snapshots.length);
    s.snapshots.splice(0, dropHist);
    s.histBase += dropHist;
    const cpu = process.cpuUsage(s.cpuAtPrepare);
    const ops = s.ops.slice(0, 20_000);
    // Final only once every answer is in and every op and histogram is in this reply.
    const complete = settled && ops.length === s.ops.length;
    return {
      opsFrom: s.opsBase,
      ops,
      histFrom: s.histBase,
      histograms: s.snapshots,
      counters: { ...(s.loop?.counters ?? emptyCounters()) },
      cpuS: (cpu.user + cpu.system) / 1e6,
      state: complete || s.state === "prepared" ? s.state : "running",
      ...(s.error ? { error: s.error } : {}),
    };
  };

  const stop = async () => {
    const s = session;
    if (!s) return;
    if (s.startTimer) clearTimeout(s.startTimer);
    if (s.state === "running" || s.state === "prepared") {
      s.state = "stopped";
      await s.loop?.stop();
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => reply(res, 500, { error: String(e) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (o.token !== undefined) {
      const auth = req.headers.authorization;
      const given = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
      if (!tokenMatches(o.token, given)) {
        reply(res, 401, { error: "missing or wrong token" });
        return;
      }
    }
    lastCall = Date.now();
    const url = new URL(req.url ?? "/", "http://worker");
    const route = `${req.method} ${url.pathname}`;
    try {
      switch (route) {
        case "GET /v1/clock":
          return reply(res, 200, { workerUs: clockUs() });
        case "POST /v1/prepare":
          await prepare((await body(req)) as PrepareRequest);
          return reply(res, 200, { ok: true });
        case "POST /v1/start":
          start((await body(req)) as StartRequest);
          return reply(res, 200, { ok: true });
        case "GET /v1/poll":
          return reply(
            res,
            200,
            poll(Number(url.searchParams.get("ops") ?? 0), Number(url.searchParams.get("hist") ?? 0)),
          );
        case "POST /v1/stop":
          await stop();
          return reply(res, 200, { ok: true });
        case "POST /v1/release": {
          const ran = session?.base !== undefined;
          await release();
          reply(res, 200, { ok: true });
          if (ran) o.onReleased?.();
          return;
        }
        default:
          return reply(res, 404, { error: `no such call: ${route}` });
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      return reply(res, 400, { error: msg });
    }
  }

  // A coordinator that stopped calling (died, or lost the network) must not leave load running.
  const watchdog = setInterval(() => {
    if (session?.state === "running" && Date.now() - lastCall > idleMs) {
      log(`no call from the coordinator for ${idleMs} ms: stopping the load`);
      void release();
    }
  }, 500);
  watchdog.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      clearInterval(watchdog);
      await release();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024 * 1024) throw new FaultbenchError("FB_USAGE", "request body over 16 MiB");
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function reply(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function emptyCounters() {
  return {
    offered: 0,
    sent: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    inFlight: 0,
    heldByInFlight: 0,
    lateTicks: 0,
  };
}
