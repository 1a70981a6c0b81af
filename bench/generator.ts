/**
 * faultbench's open-loop generator against autocannon, on the same target: one push agent
 * (memory channel, HTTP source) fed with batches of the same number of events of the same size
 * (100 bytes of body each) over the same number of connections, one request in flight per
 * connection. Each round has four runs, each on a fresh
 * agent warmed for 1 s first (autocannon: a discarded 1 s run; faultbench: the scenario's warmup):
 *   1. autocannon flat out (closed loop): its peak requests/s;
 *   2. faultbench's generator, open loop, offered that round's autocannon peak (in events/s);
 *   3. autocannon at a fixed overallRate of half that peak, and 4. faultbench at the same rate;
 *   5. faultbench offered 1.5× that peak: backlogged from the first second, every producer sends
 *      its next batch as soon as its answer comes — its own peak, the figure to set against 1.
 *      (Run 2 cannot show that: an open-loop source offered exactly a system's capacity runs at
 *      utilisation 1, and every stall it meets is throughput it can never catch up.)
 * For each: requests/s, events/s, latency at the tool's resolution (autocannon: 1 ms, from the
 * actual send; faultbench: µs HDR, from the actual and from the intended send), the coefficient
 * of variation of the per-second rate (autocannon's own per-second samples; faultbench's acks per
 * second) and of the per-100 ms rate (both tools' answers), and the CPU the bench process (the
 * load generator), the agent and the collector used in the measured window, so a peak can be
 * credited to the process that set it (a process at ≥ 90% of a core is marked CPU-bound). The
 * summary gives the median of each figure over the rounds (the machine may be shared: alternate,
 * then median).
 *
 * `--profile DIR` samples the bench process's CPU (V8's profiler, through node:inspector) during
 * each run's measured window, writes one .cpuprofile per run into DIR and prints where
 * the time went (self time by function and file). The profiler samples wall time: a sample taken
 * while the process was preempted (on a busy machine, often inside a socket write that woke the
 * agent) counts against whatever it was doing, so read syscall shares next to the /proc CPU figures.
 *
 *     node --import tsx bench/generator.ts [--seconds N] [--batch N] [--connections N] [--rounds N] [--profile DIR]
 */

import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { parseReady } from "../engines/shared/ready-signal.ts";
import { intendedTimes } from "../harness/generator/schedule.ts";
import type { SendOp } from "../harness/history/op.ts";
import { LatencyHistogram } from "../harness/metrics/histogram.ts";
import { readMachineCpu, readProcessCpu } from "../harness/resources/proc-stat.ts";
import { LoadLoop } from "../harness/run/load-loop.ts";
import { scenarioFromObject } from "../harness/scenario/load.ts";
import { HttpProducer } from "../harness/targets/flume/http-producer.ts";
import { parseBenchArgs } from "./args.ts";
import { spawnChild } from "./children.ts";
import { summariseProfile } from "./cpu-profile-summary.ts";

const { values: args } = parseBenchArgs(
  {
    options: {
      seconds: { type: "string", default: "5" },
      batch: { type: "string", default: "20" },
      connections: { type: "string", default: "8" },
      rounds: { type: "string", default: "3" },
      profile: { type: "string" },
    },
  },
  import.meta.filename,
);
const SECONDS = Number(args.seconds);
const BATCH = Number(args.batch);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
const PROFILE_DIR = args.profile ? resolve(args.profile) : undefined;
const MAIN = resolve(import.meta.dirname, "../engines/agent/main.ts");

// The agents' sink posts to a counter in its own process (bench/generator-collector.ts): the bench
// process then runs the load generator alone, and its CPU figure is the generator's.
const collectorChild = spawnChild(
  process.execPath,
  ["--import", "tsx", resolve(import.meta.dirname, "generator-collector.ts")],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const collectorPort = await new Promise<number>((res, rej) => {
  createInterface({ input: collectorChild.stdout as NodeJS.ReadableStream }).on("line", (l) => {
    const m = /^port (\d+)$/.exec(l);
    if (m) res(Number(m[1]));
  });
  collectorChild.once("exit", (c) => rej(new Error(`collector exited ${c}`)));
});
const collectorUrl = `http://127.0.0.1:${collectorPort}/`;

interface Agent {
  child: ChildProcess;
  url: string;
  dir: string;
}

async function bootAgent(): Promise<Agent> {
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
  const child = spawnChild(
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

async function stopAgent(a: Agent): Promise<void> {
  const exited = new Promise((r) => a.child.once("exit", r));
  a.child.kill("SIGTERM");
  await exited;
  await rm(a.dir, { recursive: true, force: true });
}

/** CPU seconds of the bench process, the agent and the machine, and the wall clock, at one instant. */
interface CpuMark {
  wall: number;
  bench: number;
  agent: number;
  collector: number;
  machineBusy: number;
}

function markCpu(agent: Agent): CpuMark {
  return {
    wall: performance.now() / 1000,
    bench: readProcessCpu(process.pid) ?? Number.NaN,
    agent: readProcessCpu(agent.child.pid as number) ?? Number.NaN,
    collector: readProcessCpu(collectorChild.pid as number) ?? Number.NaN,
    machineBusy: readMachineCpu()?.busy ?? Number.NaN,
  };
}

/** Shares of a core over the window between two marks. */
function cpuBetween(
  a: CpuMark,
  b: CpuMark,
): Pick<Row, "benchCpu" | "agentCpu" | "collectorCpu" | "machineCpu"> {
  const wall = b.wall - a.wall;
  return {
    benchCpu: (b.bench - a.bench) / wall,
    agentCpu: (b.agent - a.agent) / wall,
    collectorCpu: (b.collector - a.collector) / wall,
    machineCpu: (b.machineBusy - a.machineBusy) / wall,
  };
}

function cv(xs: number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return mean > 0 ? sd / mean : 0;
}

function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

interface Row {
  tool: string;
  mode: string;
  reqPerSec: number;
  eventsPerSec: number;
  /** ms, from the actual send. */
  p50: number;
  p99: number;
  /** ms, from the intended send (faultbench only). */
  p99Intended?: number;
  cvPerSec: number;
  cvPer100ms: number;
  errors: number;
  /** Shares of one core in the measured window: bench process (the load generator), agent, collector, machine. */
  benchCpu: number;
  agentCpu: number;
  collectorCpu: number;
  machineCpu: number;
}

/** Every event's body length, both tools: the agent parses as many bytes per event from each. */
const MESSAGE_SIZE = 100;
const body = JSON.stringify(
  Array.from({ length: BATCH }, (_, i) => {
    const head = `0.${i}.0.`;
    return { headers: {}, body: `${head}${"x".repeat(MESSAGE_SIZE - head.length)}` };
  }),
);

async function runAutocannon(mode: string, overallRate?: number): Promise<Row> {
  const agent = await bootAgent();
  try {
    const options = {
      url: agent.url,
      method: "POST" as const,
      headers: { "content-type": "application/json" },
      body,
      connections: CONNECTIONS,
      ...(overallRate ? { overallRate } : {}),
    };
    await autocannon({ ...options, duration: 1 }); // warm the fresh agent, as faultbench's warmup does
    const before = markCpu(agent);
    const profiler = PROFILE_DIR ? new Profiler() : undefined;
    profiler?.start();
    // Answers per 100 ms as well as autocannon's own per-second samples: its overallRate is a
    // per-second budget per connection, steady per second by construction, so the finer grain is
    // where the two tools' pacing differs.
    const per100 = new Array(SECONDS * 10).fill(0);
    const r = await new Promise<autocannon.Result & { non2xx: number }>((res, rej) => {
      const t0 = performance.now();
      const instance = autocannon({ ...options, duration: SECONDS }, (err, result) =>
        err ? rej(err) : res(result as autocannon.Result & { non2xx: number }),
      );
      instance.on("response", () => {
        const bin = Math.floor((performance.now() - t0) / 100);
        if (bin < per100.length) per100[bin]++;
      });
    });
    const cpu = cpuBetween(before, markCpu(agent));
    profiler?.stop(`autocannon ${mode}`);
    await profiler?.done;
    return {
      tool: "autocannon 9.0.0",
      mode,
      reqPerSec: r.requests.average,
      eventsPerSec: r.requests.average * BATCH,
      p50: r.latency.p50,
      p99: r.latency.p99,
      cvPerSec: r.requests.average > 0 ? r.requests.stddev / r.requests.average : 0,
      cvPer100ms: cv(per100),
      errors: r.errors + r.timeouts + r.non2xx,
      ...cpu,
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
        messageSize: MESSAGE_SIZE,
        warmup: `${warmupMs}ms`,
        duration: `${SECONDS}s`,
      },
    },
    "bench-generator",
  );
  const producer = new HttpProducer(agent.url, CONNECTIONS, 5000, MESSAGE_SIZE);
  const start = performance.now();
  const now = () => Math.round((performance.now() - start) * 1000);
  const ops: SendOp[] = [];
  const loop = new LoadLoop(scenario, { client: producer, now, record: (op) => ops.push(op) });
  // CPU over the measured window only, as for autocannon: marks at the end of warmup and of the window.
  const marks: CpuMark[] = [];
  const profiler = PROFILE_DIR ? new Profiler() : undefined;
  const timers = [warmupMs, warmupMs + SECONDS * 1000].map((ms, i) =>
    setTimeout(() => {
      marks.push(markCpu(agent));
      if (i === 0) profiler?.start();
      else profiler?.stop(`faultbench ${mode}`);
    }, ms),
  );
  try {
    await loop.run();
    await loop.settled();
    await profiler?.done;
  } finally {
    for (const t of timers) clearTimeout(t);
    await producer.close();
    await stopAgent(agent);
  }
  const cpu =
    marks.length === 2
      ? cpuBetween(marks[0] as CpuMark, marks[1] as CpuMark)
      : { benchCpu: Number.NaN, agentCpu: Number.NaN, collectorCpu: Number.NaN, machineCpu: Number.NaN };
  // The exact intended time of every message, from the same seeded plan.
  const intendedUs = intendedTimes(scenario.workload, scenario.seed);
  const invokes = new Map<number, SendOp>();
  const actual = new LatencyHistogram();
  const intended = new LatencyHistogram();
  const perSec = new Array(SECONDS).fill(0);
  const per100 = new Array(SECONDS * 10).fill(0);
  let ok = 0;
  let errors = 0;
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
    // From the intended time of the batch's last message (its first waited longer still).
    intended.record(op.t - (intendedUs[op.producer]?.[op.to] as number));
  }
  const a = actual.percentiles();
  const c = intended.percentiles();
  return {
    tool: "faultbench open loop",
    mode,
    reqPerSec: ok / SECONDS,
    eventsPerSec: perSec.reduce((x, y) => x + y, 0) / SECONDS,
    p50: a.p50,
    p99: a.p99,
    p99Intended: c.p99,
    cvPerSec: cv(perSec),
    cvPer100ms: cv(per100),
    errors,
    ...cpu,
  };
}

/** V8's sampling profiler on this process, started and stopped at the measured window's marks. */
class Profiler {
  private readonly session = new Session();
  private started: Promise<void> | undefined;
  done: Promise<void> | undefined;
  private static runs = 0;

  start(): void {
    this.session.connect();
    this.started = (async () => {
      await this.session.post("Profiler.enable");
      await this.session.post("Profiler.setSamplingInterval", { interval: 200 });
      await this.session.post("Profiler.start");
    })();
  }

  stop(mode: string): void {
    this.done = (async () => {
      await this.started;
      const { profile } = await this.session.post("Profiler.stop");
      this.session.disconnect();
      await mkdir(PROFILE_DIR as string, { recursive: true });
      const file = join(PROFILE_DIR as string, `${++Profiler.runs}-${mode.split(" ")[0]}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      profileSummaries.push(`${mode}\n${summariseProfile(file, 20)}`);
    })();
  }
}
const profileSummaries: string[] = [];

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
/** CPU µs per delivered event of a process using `cores` of a core over the run. */
const usPerEvent = (cores: number, r: Row) =>
  r.eventsPerSec > 0 && !Number.isNaN(cores) ? ((cores * 1e6) / r.eventsPerSec).toFixed(1) : "n/a";
const pct = (x: number) => (Number.isNaN(x) ? "n/a" : `${(x * 100).toFixed(0)}%`);

function print(r: Row): void {
  console.log(`${r.tool} — ${r.mode}`);
  console.log(`  requests/s ${fmt(r.reqPerSec)}, events/s ${fmt(r.eventsPerSec)}, errors ${r.errors}`);
  console.log(
    r.p99Intended === undefined
      ? `  latency    p50 ${r.p50} ms, p99 ${r.p99} ms (1 ms resolution, from the actual send)`
      : `  latency    p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms from the actual send; p99 ${r.p99Intended.toFixed(2)} ms from the intended send (µs HDR)`,
  );
  console.log(
    `  rate CV    per second ${(r.cvPerSec * 100).toFixed(1)}%, per 100 ms ${(r.cvPer100ms * 100).toFixed(1)}%`,
  );
  console.log(
    `  CPU        load generator (bench process) ${pct(r.benchCpu)} of a core (${usPerEvent(r.benchCpu, r)} µs per event)${bound(r.benchCpu)}, agent ${pct(r.agentCpu)} (${usPerEvent(r.agentCpu, r)} µs per event)${bound(r.agentCpu)}, collector ${pct(r.collectorCpu)}; machine busy ${pct(r.machineCpu / 2)} of 2 cores`,
  );
}

/** A process at ≥ 90% of a core had no CPU to spare: it may have set the rate. */
const bound = (cores: number) => (cores >= 0.9 ? " CPU-bound" : "");

/** The median of every figure of one kind of run over the rounds. */
function medianRow(rows: Row[]): Row {
  const first = rows[0] as Row;
  const m = (f: (r: Row) => number | undefined) => median(rows.map((r) => f(r) ?? Number.NaN));
  return {
    tool: first.tool,
    mode: `${first.mode.replace(/ \(.*\)$/, "").replace(/ \d+ req\/s| at \d+ events\/s/, " at half the peak")}, median of ${rows.length}`,
    reqPerSec: m((r) => r.reqPerSec),
    eventsPerSec: m((r) => r.eventsPerSec),
    p50: m((r) => r.p50),
    p99: m((r) => r.p99),
    ...(first.p99Intended === undefined ? {} : { p99Intended: m((r) => r.p99Intended) }),
    cvPerSec: m((r) => r.cvPerSec),
    cvPer100ms: m((r) => r.cvPer100ms),
    errors: rows.reduce((a, r) => a + r.errors, 0),
    benchCpu: m((r) => r.benchCpu),
    agentCpu: m((r) => r.agentCpu),
    collectorCpu: m((r) => r.collectorCpu),
    machineCpu: m((r) => r.machineCpu),
  };
}

console.log(
  `target: one agent (memory channel); ${BATCH} events per request, ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds; load average at start ${loadavg()[0]?.toFixed(1)}`,
);
const kinds: Row[][] = [[], [], [], [], []];
const ratios: number[] = [];
const flatRatios: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  console.log(`\n— round ${round} of ${ROUNDS}`);
  const peak = await runAutocannon("closed loop, flat out");
  const ours = await runFaultbench(
    `open loop at autocannon's peak (${Math.round(peak.eventsPerSec)} events/s)`,
    peak.eventsPerSec,
  );
  const half = Math.max(1, Math.round(peak.reqPerSec / 2));
  const acHalf = await runAutocannon(`overallRate ${half} req/s`, half);
  const oursHalf = await runFaultbench(`open loop at ${half * BATCH} events/s`, half * BATCH);
  const oursFlat = await runFaultbench(
    `open loop offered 1.5× autocannon's peak (${Math.round(peak.eventsPerSec * 1.5)} events/s): its own peak`,
    peak.eventsPerSec * 1.5,
  );
  const round5 = [peak, ours, acHalf, oursHalf, oursFlat];
  round5.forEach((r, i) => {
    kinds[i]?.push(r);
    print(r);
  });
  ratios.push(peak.eventsPerSec > 0 ? ours.eventsPerSec / peak.eventsPerSec : Number.NaN);
  flatRatios.push(peak.eventsPerSec > 0 ? oursFlat.eventsPerSec / peak.eventsPerSec : Number.NaN);
}
const delivered = Number(await (await fetch(collectorUrl)).text());
const collectorExited = new Promise((r) => collectorChild.once("exit", r));
collectorChild.kill("SIGTERM");
await collectorExited;

console.log(`\n— medians over ${ROUNDS} rounds`);
const med = kinds.map(medianRow);
for (const r of med) print(r);
const [acPeak, , acHalf, oursHalf, oursFlat] = med as [Row, Row, Row, Row, Row];
console.log(
  `\noffered autocannon's peak, faultbench delivered ${ratios.map((x) => `${(x * 100).toFixed(0)}%`).join(", ")} of it (median ${(median(ratios) * 100).toFixed(0)}%)`,
);
console.log(
  `faultbench's own peak (offered 1.5×): ${flatRatios.map((x) => `${(x * 100).toFixed(0)}%`).join(", ")} of the same round's autocannon peak (median ${(median(flatRatios) * 100).toFixed(0)}%, ${Math.round(oursFlat.eventsPerSec).toLocaleString("en-US")} vs ${Math.round(acPeak.eventsPerSec).toLocaleString("en-US")} events/s): target (at least autocannon's peak) ${median(flatRatios) >= 1 ? "met" : "NOT met"}`,
);
console.log(
  `at half the peak, rate CV per second: faultbench ${(oursHalf.cvPerSec * 100).toFixed(1)}%, autocannon ${(acHalf.cvPerSec * 100).toFixed(1)}%; per 100 ms: faultbench ${(oursHalf.cvPer100ms * 100).toFixed(1)}%, autocannon ${(acHalf.cvPer100ms * 100).toFixed(1)}% (medians)`,
);
// Which process set the peak: one at ≥ 90% of a core was saturated. On a machine ≥ 90% busy
// every process only gets its fair share of a core, so a process well under 90% can still be the
// one that is CPU-starved: then the CPU each tool needs per event decides, and is printed.
const saturated = [
  acPeak.agentCpu >= 0.9 ? `the agent (${pct(acPeak.agentCpu)} of a core)` : "",
  acPeak.benchCpu >= 0.9 ? `the bench process (${pct(acPeak.benchCpu)} of a core)` : "",
].filter(Boolean);
if (saturated.length > 0) console.log(`at autocannon's peak, CPU-saturated: ${saturated.join(" and ")}`);
else if (acPeak.machineCpu >= 0.9 * 2)
  console.log(
    `at autocannon's peak the machine was ${pct(acPeak.machineCpu / 2)} busy: no process had a core to itself (agent ${pct(acPeak.agentCpu)}, bench ${pct(acPeak.benchCpu)} of a core), so the generator needing less CPU per event goes faster`,
  );
else
  console.log(
    `at autocannon's peak neither process was CPU-saturated (agent ${pct(acPeak.agentCpu)}, bench ${pct(acPeak.benchCpu)} of a core): round trips with one request in flight per connection set it`,
  );
console.log(
  `load-generator CPU per event at half the peak (medians): faultbench ${usPerEvent(oursHalf.benchCpu, oursHalf)} µs, autocannon ${usPerEvent(acHalf.benchCpu, acHalf)} µs`,
);
// The agent's CPU per event under each tool's peak: equal figures mean our bodies cost it no more
// than autocannon's, so a gap between the peaks is the load generator's.
console.log(
  `CPU per event at the peaks (medians): load generator faultbench ${usPerEvent(oursFlat.benchCpu, oursFlat)} µs, autocannon ${usPerEvent(acPeak.benchCpu, acPeak)} µs; agent ${usPerEvent(oursFlat.agentCpu, oursFlat)} µs under faultbench, ${usPerEvent(acPeak.agentCpu, acPeak)} µs under autocannon`,
);
for (const p of profileSummaries) console.log(`\n${p}`);
console.log(`collector received ${delivered.toLocaleString("en-US")} events in total`);
