/**
 * faultbench's open-loop generator against autocannon, on the same target: one push agent
 * (memory channel, HTTP source) fed with batches of the same number of events over the same number
 * of connections. Three runs:
 *   1. autocannon flat out (closed loop): its peak requests/s;
 *   2. faultbench's generator, open loop, offered autocannon's peak (in events/s);
 *   3. autocannon at a fixed overallRate of half that peak, and faultbench at the same rate.
 * For each: requests/s, events/s, latency at the tool's resolution (autocannon: 1 ms, from the
 * actual send; faultbench: µs HDR, from the actual and from the intended send), and the coefficient
 * of variation of the per-second rate (autocannon's own per-second samples; faultbench's acks per
 * second, and per 100 ms).
 *
 *     node --import tsx bench/generator.ts [--seconds N] [--batch N] [--connections N]
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { parseReady } from "../engines/shared/ready-signal.ts";
import type { SendOp } from "../harness/history/op.ts";
import { LatencyHistogram } from "../harness/metrics/histogram.ts";
import { LoadLoop } from "../harness/run/load-loop.ts";
import { scenarioFromObject } from "../harness/scenario/load.ts";
import { HttpProducer } from "../harness/targets/flume/http-producer.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    batch: { type: "string", default: "20" },
    connections: { type: "string", default: "8" },
  },
});
const SECONDS = Number(args.seconds);
const BATCH = Number(args.batch);
const CONNECTIONS = Number(args.connections);
const MAIN = resolve(import.meta.dirname, "../engines/agent/main.ts");

// The agent's sink posts here; it only counts.
let delivered = 0;
const collector = createServer((req, res) => {
  let n = 0;
  req.on("data", (c: Buffer) => {
    for (const b of c) if (b === 0x7b) n++; // one "{" per event object (bodies hold none)
  });
  req.on("end", () => {
    delivered += n;
    res.writeHead(200, { "content-length": 0 }).end();
  });
});
await new Promise<void>((r) => collector.listen(0, "127.0.0.1", () => r()));
const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;

async function bootAgent(): Promise<{ child: ChildProcess; url: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "fb-bench-gen-"));
  await writeFile(
    join(dir, "agent.properties"),
    `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000000
a1.channels.c1.transactionCapacity = 5000
a1.sinks.k1.type = http
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = ${collectorUrl}
a1.sinks.k1.batchSize = 1000
`,
  );
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "--config", join(dir, "agent.properties"), "--name", "a1"],
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
  return { child, url: `http://127.0.0.1:${ports.r1}`, dir };
}

async function stopAgent(a: { child: ChildProcess; dir: string }): Promise<void> {
  const exited = new Promise((r) => a.child.once("exit", r));
  a.child.kill("SIGTERM");
  await exited;
  await rm(a.dir, { recursive: true, force: true });
}

function cv(xs: number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return mean > 0 ? sd / mean : 0;
}

interface Row {
  tool: string;
  mode: string;
  reqPerSec: number;
  eventsPerSec: number;
  latency: string;
  cvPerSec: number;
  cvPer100ms?: number;
  errors: number;
}

const body = JSON.stringify(
  Array.from({ length: BATCH }, (_, i) => ({ headers: {}, body: `0.${i}.0.${"x".repeat(80)}` })),
);

async function runAutocannon(mode: string, overallRate?: number): Promise<Row> {
  const agent = await bootAgent();
  try {
    const r = (await autocannon({
      url: agent.url,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      connections: CONNECTIONS,
      duration: SECONDS,
      ...(overallRate ? { overallRate } : {}),
    })) as autocannon.Result & { non2xx: number };
    return {
      tool: "autocannon 9.0.0",
      mode,
      reqPerSec: r.requests.average,
      eventsPerSec: r.requests.average * BATCH,
      latency: `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (1 ms resolution, from the actual send)`,
      cvPerSec: r.requests.average > 0 ? r.requests.stddev / r.requests.average : 0,
      errors: r.errors + r.timeouts + r.non2xx,
    };
  } finally {
    await stopAgent(agent);
  }
}

async function runFaultbench(mode: string, eventsPerSec: number): Promise<Row> {
  const agent = await bootAgent();
  const warmupMs = 1000;
  const scenario = scenarioFromObject(
    {
      name: "bench-generator",
      seed: 5,
      engine: "agent",
      topology: { agents: { a1: { channel: { type: "memory" }, sinks: ["collector"] } } },
      workload: {
        rate: `${Math.round(eventsPerSec)}/s`,
        producers: CONNECTIONS,
        batchSize: BATCH,
        linger: "50ms", // full batches, as autocannon always sends
        // One request outstanding per producer, one producer per connection: the concurrency
        // autocannon has (one request in flight per connection); more would only queue in the pool.
        maxInFlight: 1,
        messageSize: 100,
        warmup: `${warmupMs}ms`,
        duration: `${SECONDS}s`,
      },
    },
    "bench-generator",
  );
  const producer = new HttpProducer(agent.url, CONNECTIONS, 5000, 100);
  const start = performance.now();
  const now = () => Math.round((performance.now() - start) * 1000);
  const ops: SendOp[] = [];
  const loop = new LoadLoop(scenario, { client: producer, now, record: (op) => ops.push(op) });
  try {
    await loop.run();
    await loop.settled();
  } finally {
    await producer.close();
    await stopAgent(agent);
  }
  const invokes = new Map<number, SendOp>();
  const actual = new LatencyHistogram();
  const intended = new LatencyHistogram();
  const perSec = new Array(SECONDS).fill(0);
  const per100 = new Array(SECONDS * 10).fill(0);
  let ok = 0;
  let errors = 0;
  const interval = 1e6 / eventsPerSec;
  for (const op of ops) {
    if (op.type === "invoke") {
      invokes.set(op.req, op);
      continue;
    }
    const inv = invokes.get(op.req) as SendOp;
    if (op.type !== "ok") {
      errors++;
      continue;
    }
    const rel = op.t - warmupMs * 1000;
    if (rel < 0 || rel >= SECONDS * 1e6) continue;
    ok++;
    perSec[Math.floor(rel / 1e6)] += op.to - op.from + 1;
    per100[Math.floor(rel / 1e5)] += op.to - op.from + 1;
    actual.record(op.t - inv.t);
    // Intended time of the batch's last message, by the uniform schedule's spacing and the
    // per-producer round robin (message i = seq·P + producer).
    const lastIndex = op.to * CONNECTIONS + op.producer;
    intended.record(op.t - lastIndex * interval);
  }
  const a = actual.percentiles();
  const c = intended.percentiles();
  return {
    tool: "faultbench open loop",
    mode,
    reqPerSec: ok / SECONDS,
    eventsPerSec: perSec.reduce((x, y) => x + y, 0) / SECONDS,
    latency: `p50 ${a.p50.toFixed(2)} ms, p99 ${a.p99.toFixed(2)} ms from the actual send; p99 ${c.p99.toFixed(2)} ms from the intended send (µs HDR)`,
    cvPerSec: cv(perSec),
    cvPer100ms: cv(per100),
    errors,
  };
}

const rows: Row[] = [];
console.log(
  `target: one agent (memory channel); ${BATCH} events per request, ${CONNECTIONS} connections, ${SECONDS} s per run`,
);
const peak = await runAutocannon("closed loop, flat out");
rows.push(peak);
rows.push(
  await runFaultbench(
    `open loop at autocannon's peak (${Math.round(peak.eventsPerSec)} events/s)`,
    peak.eventsPerSec,
  ),
);
const half = Math.max(1, Math.round(peak.reqPerSec / 2));
rows.push(await runAutocannon(`overallRate ${half} req/s`, half));
rows.push(await runFaultbench(`open loop at ${half * BATCH} events/s`, half * BATCH));
await new Promise<void>((r) => collector.close(() => r()));
for (const r of rows) {
  console.log(`\n${r.tool} — ${r.mode}`);
  console.log(
    `  requests/s ${Math.round(r.reqPerSec).toLocaleString("en-US")}, events/s ${Math.round(r.eventsPerSec).toLocaleString("en-US")}, errors ${r.errors}`,
  );
  console.log(`  latency    ${r.latency}`);
  console.log(
    `  rate CV    per second ${(r.cvPerSec * 100).toFixed(1)}%${r.cvPer100ms === undefined ? "" : `, per 100 ms ${(r.cvPer100ms * 100).toFixed(1)}%`}`,
  );
}
console.log(`\ncollector received ${delivered.toLocaleString("en-US")} events in total`);
