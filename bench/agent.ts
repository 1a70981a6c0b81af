/**
 * Agent benchmark: one agent process (HTTP source → channel → HTTP sink) and, in this process, the
 * load generator and the HTTP collector the sink posts to. For the memory channel and then the file
 * channel (fsyncPerTransaction = true) it measures
 *   1. throughput: closed loop, several keep-alive connections pushing 100-byte events in batches
 *      as fast as the agent accepts them; events/s counted at the collector (median of 3 runs);
 *   2. latency: open loop at half that rate; each body carries its intended send time, so
 *      end-to-end p50/p99 include any queueing behind a slow request (no coordinated omission).
 *
 *     node --import tsx bench/agent.ts [--seconds N] [--sink-batch N] [--profile DIR] [--only-latency RATE]
 *
 * `--only-latency RATE` skips the throughput runs and measures latency at RATE events/s.
 *
 * `--profile DIR` runs the agent under `node --cpu-prof` and leaves the .cpuprofile files in DIR.
 */

import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import * as hdr from "hdr-histogram-js";
import { Pool } from "undici";
import { parseReady } from "../engines/shared/ready-signal.ts";
import { parseBenchArgs } from "./args.ts";
import { spawnChild } from "./children.ts";

const { values: args } = parseBenchArgs(
  {
    options: {
      seconds: { type: "string", default: "4" },
      "sink-batch": { type: "string", default: "1000" },
      profile: { type: "string" },
      "only-latency": { type: "string" },
    },
  },
  import.meta.filename,
);
const SECONDS = Number(args.seconds);
const BODY_BYTES = 100;
const SEND_BATCH = 500; // events per POST in the throughput phase
const CONNECTIONS = 4;
// The sink's batchSize: 1000 rather than the default 100 because one sink has one request in
// flight at a time (Flume's one runner per sink), so events/s ≈ batchSize / round trip.
const SINK_BATCH = Number(args["sink-batch"]);
const MAIN = resolve(import.meta.dirname, "../engines/agent/main.ts");

/** Microseconds on a clock shared by sender and collector (same process). */
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

// ---- collector ---------------------------------------------------------------------------------
let delivered = 0;
let measuring = false;
let histogram = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120_000_000,
  numberOfSignificantValueDigits: 3,
});
const collector = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const events = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { body: string }[];
    delivered += events.length;
    if (measuring) {
      const now = nowUs();
      for (const e of events) histogram.recordValue(Math.max(1, now - Number(e.body.slice(0, 16))));
    }
    res.writeHead(200, { "content-length": 0 }).end();
  });
});
await new Promise<void>((r) => collector.listen(0, "127.0.0.1", () => r()));
const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;

// ---- agent -------------------------------------------------------------------------------------
type Kind = "memory" | "file";

function config(kind: Kind, dir: string): string {
  const channel =
    kind === "memory"
      ? "a1.channels.c1.type = memory\na1.channels.c1.capacity = 100000\na1.channels.c1.transactionCapacity = 5000\n"
      : `a1.channels.c1.type = file\na1.channels.c1.checkpointDir = ${join(dir, "cp")}\na1.channels.c1.dataDirs = ${join(dir, "data")}\na1.channels.c1.capacity = 100000\na1.channels.c1.transactionCapacity = 5000\na1.channels.c1.fsyncPerTransaction = true\na1.channels.c1.maxFileSize = 67108864\n`;
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
${channel}a1.sinks.k1.type = http
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = ${collectorUrl}
a1.sinks.k1.batchSize = ${SINK_BATCH}
`;
}

interface BenchAgent {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  dir: string;
}

async function bootAgent(kind: Kind, run: string): Promise<BenchAgent> {
  const dir = await mkdtemp(join(tmpdir(), `fb-bench-${kind}-`));
  await writeFile(join(dir, "agent.properties"), config(kind, dir));
  const nodeArgs = ["--import", "tsx"];
  // One directory per agent run: node writes a profile per thread (tsx's loader thread too), and the
  // largest one is the agent's main thread.
  if (args.profile) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${join(args.profile, `${kind}-${run}`)}`);
  const child = spawnChild(
    process.execPath,
    [...nodeArgs, MAIN, "--config", join(dir, "agent.properties"), "--name", "a1"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const ports = await new Promise<Record<string, number>>((res, rej) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (l) => {
      const r = parseReady(l);
      if (r) res(r.ports);
    });
    child.once("exit", (c) => rej(new Error(`agent exited ${c}`)));
  });
  return { child, port: ports.r1 as number, metricsPort: ports.metrics as number, dir };
}

async function stopAgent(a: BenchAgent): Promise<void> {
  const exited = new Promise((r) => a.child.once("exit", r));
  a.child.kill("SIGTERM");
  await exited;
  await rm(a.dir, { recursive: true, force: true });
}

// ---- load --------------------------------------------------------------------------------------
const pad = "x".repeat(BODY_BYTES);
/** A 100-byte body: 16-digit intended send time (µs), then padding. */
const body = (t: number) => `${String(t).padStart(16, "0")}${pad}`.slice(0, BODY_BYTES);

async function throughputRun(kind: Kind, run: number): Promise<number> {
  const agent = await bootAgent(kind, `tput-${run}`);
  const pool = new Pool(`http://127.0.0.1:${agent.port}`, { connections: CONNECTIONS, pipelining: 1 });
  const payload = JSON.stringify(Array.from({ length: SEND_BATCH }, () => ({ headers: {}, body: body(0) })));
  let stop = false;
  let rejected = 0;
  const worker = async () => {
    while (!stop) {
      const r = await pool.request({
        path: "/",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: payload,
      });
      await r.body.dump();
      if (r.statusCode === 503) {
        rejected++;
        await new Promise((res) => setTimeout(res, 2));
      } else if (r.statusCode !== 200) throw new Error(`source answered ${r.statusCode}`);
    }
  };
  const workers = Array.from({ length: CONNECTIONS }, worker);
  await new Promise((r) => setTimeout(r, 1000)); // warm-up (JIT, connections)
  const d0 = delivered;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = ((delivered - d0) * 1000) / (performance.now() - t0);
  stop = true;
  await Promise.all(workers);
  // Cross-check the collector's count against the agent's own counters.
  const m = (await (await fetch(`http://127.0.0.1:${agent.metricsPort}/metrics`)).json()) as Record<
    string,
    Record<string, number>
  >;
  const accepted = m["SOURCE.r1"]?.EventAcceptedCount ?? 0;
  const drained = m["SINK.k1"]?.EventDrainSuccessCount ?? 0;
  await pool.close();
  await stopAgent(agent);
  console.log(
    `  ${kind} run ${run + 1}: ${Math.round(rate).toLocaleString("en")} events/s (503s: ${rejected}; agent accepted ${accepted}, sink drained ${drained})`,
  );
  return rate;
}

async function latencyRun(
  kind: Kind,
  rate: number,
): Promise<{ p50: number; p99: number; max: number; sent: number; recorded: number }> {
  const agent = await bootAgent(kind, "latency");
  const pool = new Pool(`http://127.0.0.1:${agent.port}`, { connections: 8, pipelining: 1 });
  // The producer buffers events for about a millisecond (at least 20 per POST) and posts the batch
  // when its last event is due; every event keeps its own intended time, so the latency includes
  // that buffering and any wait behind slow requests.
  const batch = Math.max(20, Math.round(rate / 1000));
  const dtUs = 1e6 / rate;
  let failures = 0;
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  const sendBatch = (lastDue: number) => {
    const events = [];
    for (let i = 0; i < batch; i++)
      events.push({ headers: {}, body: body(Math.round(lastDue - (batch - 1 - i) * dtUs)) });
    sent += batch;
    const p = pool
      .request({
        path: "/",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(events),
      })
      .then(async (r) => {
        await r.body.dump();
        if (r.statusCode !== 200) failures++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const run = async (seconds: number) => {
    const start = nowUs();
    const end = start + seconds * 1e6;
    let lastDue = start + (batch - 1) * dtUs;
    while (lastDue < end) {
      const now = nowUs();
      while (lastDue <= now && lastDue < end) {
        sendBatch(lastDue);
        lastDue += batch * dtUs;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  await run(1); // warm-up
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 200));
  histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
  measuring = true;
  sent = 0;
  await run(SECONDS);
  await Promise.all(inflight);
  const backlog = await channelSize(agent);
  await new Promise((r) => setTimeout(r, 500)); // let the last events drain through the sink
  measuring = false;
  if (backlog > batch * 10)
    console.log(`  (channel backlog at the end of the latency run: ${backlog} events)`);
  await pool.close();
  await stopAgent(agent);
  if (failures > 0) console.log(`  (${failures} batches were refused during the latency run)`);
  return {
    p50: histogram.getValueAtPercentile(50) / 1000,
    p99: histogram.getValueAtPercentile(99) / 1000,
    max: histogram.maxValue / 1000,
    sent,
    // What the percentiles are over: the events that arrived, not the events sent.
    recorded: histogram.totalCount,
  };
}

async function channelSize(agent: BenchAgent): Promise<number> {
  const m = (await (await fetch(`http://127.0.0.1:${agent.metricsPort}/metrics`)).json()) as Record<
    string,
    Record<string, number>
  >;
  return m["CHANNEL.c1"]?.ChannelSize ?? 0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const cpuList = cpus();
console.log(
  `agent benchmark: ${BODY_BYTES}-byte events, ${CONNECTIONS} connections × ${SEND_BATCH}-event POSTs, sink batchSize ${SINK_BATCH}, ${SECONDS} s per run; machine: ${cpuList.length} cpus, ${cpuList[0]?.model ?? "unknown cpu"}, node ${process.version}`,
);
let unmeasured = 0;
const targets: Record<Kind, number> = { memory: 100_000, file: 50_000 };
for (const kind of ["memory", "file"] as const) {
  console.log(`${kind} channel${kind === "file" ? " (fsyncPerTransaction = true)" : ""}:`);
  let m = Number(args["only-latency"]) * 2;
  if (!args["only-latency"]) {
    const rates: number[] = [];
    for (let i = 0; i < 3; i++) rates.push(await throughputRun(kind, i));
    m = median(rates);
    console.log(
      `  throughput median: ${Math.round(m).toLocaleString("en")} events/s (target ${targets[kind].toLocaleString("en")}: ${m >= targets[kind] ? "met" : "NOT met"})`,
    );
  }
  if (!(m > 0)) {
    unmeasured++;
    console.error(`  NOT MEASURED: no throughput for the ${kind} channel`);
    continue;
  }
  const lat = await latencyRun(kind, m / 2);
  console.log(
    `  latency at ${Math.round(m / 2).toLocaleString("en")} events/s open loop (${lat.recorded.toLocaleString("en")} of ${lat.sent.toLocaleString("en")} events recorded): p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms, max ${lat.max.toFixed(2)} ms (from intended send time)`,
  );
  if (lat.recorded < 0.99 * lat.sent) {
    unmeasured++;
    console.error(
      `  NOT MEASURED: only ${lat.recorded} of ${lat.sent} events (${((100 * lat.recorded) / Math.max(1, lat.sent)).toFixed(1)}%) were recorded; the percentiles miss the rest`,
    );
  }
}
collector.close();
collector.closeAllConnections();
if (unmeasured > 0) {
  console.error(`${unmeasured} figure(s) could not be measured`);
  process.exit(1);
}
