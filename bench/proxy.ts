/**
 * Proxy overhead benchmark (`npm run bench:proxy`): what does a hop through the fault proxy with no
 * toxics cost? Three processes, as in a real run: this one (the client), a target process (a sink
 * and an echo server) and the proxy (main.ts). Each repetition measures, direct and proxied in
 * alternating order, (a) bulk upload throughput to the sink and (b) sequential small-message echo
 * round trips on one connection; the summary prints medians over repetitions, the throughput ratio
 * and the added p50/p99 latency against the targets (≥ 80% of direct, ≤ 0.2 ms added p50).
 *
 * Two yardsticks make the throughput figure readable on any machine: a bare `pipe()` proxy in its
 * own process (the floor for a Node proxy), and CPU time per GiB from /proc for every process in
 * the path. A userspace proxy adds two copies per byte, so when the client, target and proxy
 * together saturate every core the ratio cannot exceed direct CPU / proxied CPU, which is printed.
 *
 * Options: --reps N (5), --mb N per upload (512), --round-trips N (5000), --size N bytes per echo (64).
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { announceReady, parseReady, type ReadySignal } from "../engines/shared/ready-signal.ts";
import { ProxyClient } from "../harness/network/proxy-client.ts";
import { parseBenchArgs } from "./args.ts";
import { spawnChild } from "./children.ts";

const { values } = parseBenchArgs(
  {
    options: {
      role: { type: "string", default: "bench" },
      reps: { type: "string", default: "5" },
      mb: { type: "string", default: "512" },
      "round-trips": { type: "string", default: "5000" },
      size: { type: "string", default: "64" },
      upstream: { type: "string", default: "0" },
    },
  },
  import.meta.filename,
);

/**
 * Target role: a sink that reads an 8-byte length, then that many bytes, then answers one byte
 * (no EOF involved: like Toxiproxy, the proxy turns a half-close into a full close), and an echo server.
 */
async function serveTarget(): Promise<void> {
  const sink = createServer((s) => {
    let expected = -1;
    let got = 0;
    let header = Buffer.alloc(0);
    s.on("data", (d: Buffer) => {
      if (expected < 0) {
        header = Buffer.concat([header, d]);
        if (header.length < 8) return;
        expected = Number(header.readBigUInt64BE(0));
        got = header.length - 8;
      } else {
        got += d.length;
      }
      if (got >= expected) s.write("k");
    });
    s.on("error", () => undefined);
  });
  const echo = createServer((s) => {
    s.setNoDelay(true);
    s.on("error", () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  announceReady("target", {
    sink: (sink.address() as AddressInfo).port,
    echo: (echo.address() as AddressInfo).port,
  });
  process.once("SIGTERM", () => process.exit(0));
}

/**
 * Reference role: the cheapest proxy Node can be, `client.pipe(server).pipe(client)`, in its own
 * process. Its throughput is the floor for any Node proxy on this machine, separating our code's
 * overhead from the cost of one extra userspace hop (two more copies per byte).
 */
async function serveBarePipe(upstream: number): Promise<void> {
  const server = createServer((c) => {
    const u = connect({ host: "127.0.0.1", port: upstream, noDelay: true });
    c.setNoDelay(true);
    c.on("error", () => u.destroy());
    u.on("error", () => c.destroy());
    c.pipe(u).pipe(c);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  announceReady("pipe", { port: (server.address() as AddressInfo).port });
  process.once("SIGTERM", () => process.exit(0));
}

function spawnReady(args: string[]): Promise<{ child: ChildProcess; ready: ReadySignal }> {
  const child = spawnChild(process.execPath, ["--import", "tsx", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const ready = parseReady(line);
      if (ready !== undefined) resolve({ child, ready });
    });
    child.once("exit", (code) => reject(new Error(`${args[0]} exited ${code} before ready`)));
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, noDelay: true });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** Uploads `bytes` with backpressure and waits for the sink's acknowledgement; returns MB/s. */
async function upload(port: number, bytes: number): Promise<number> {
  const s = await open(port);
  const block = Buffer.alloc(64 * 1024, 0x5a);
  const t0 = performance.now();
  const acked = new Promise<void>((resolve, reject) => {
    s.once("data", () => resolve());
    s.once("close", () => reject(new Error("sink closed before acknowledging")));
  });
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(bytes));
  s.write(header);
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(block.length, bytes - sent);
        sent += n;
        if (!s.write(n === block.length ? block : block.subarray(0, n))) return void s.once("drain", pump);
      }
      resolve();
    };
    pump();
  });
  await acked;
  const secs = (performance.now() - t0) / 1000;
  s.destroy();
  return sent / 1e6 / secs;
}

/** Sequential echo round trips on one connection; returns sorted RTTs in ms (after a warm-up). */
async function echoRtts(port: number, n: number, size: number): Promise<Float64Array> {
  const s = await open(port);
  const msg = Buffer.alloc(size, 0x61);
  const out = new Float64Array(n);
  let pending = 0;
  let resolveOne: (() => void) | undefined;
  s.on("data", (d: Buffer) => {
    pending -= d.length;
    if (pending <= 0) resolveOne?.();
  });
  const once = async (): Promise<number> => {
    pending = size;
    const done = new Promise<void>((r) => {
      resolveOne = r;
    });
    const t0 = performance.now();
    s.write(msg);
    await done;
    return performance.now() - t0;
  };
  for (let i = 0; i < 200; i++) await once();
  for (let i = 0; i < n; i++) out[i] = await once();
  s.destroy();
  return out.sort();
}

/** CPU time (user + system, ms) a process has used so far, from /proc; undefined off Linux. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Runs `fn` and reports the CPU ms each of `pids` spent meanwhile (NaN when unknown). */
async function withCpu<T>(pids: (number | undefined)[], fn: () => Promise<T>): Promise<[T, number[]]> {
  const before = pids.map(cpuMs);
  const out = await fn();
  const after = pids.map(cpuMs);
  return [out, pids.map((_, i) => (after[i] ?? Number.NaN) - (before[i] ?? Number.NaN))];
}

const pct = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function bench(): Promise<void> {
  const reps = Number(values.reps);
  const bytes = Number(values.mb) * 1024 * 1024;
  const trips = Number(values["round-trips"]);
  const size = Number(values.size);
  const self = fileURLToPath(import.meta.url);
  const main = fileURLToPath(new URL("../harness/proxy/main.ts", import.meta.url));
  const target = await spawnReady([self, "--role", "target"]);
  const proxy = await spawnReady([main, "--port", "0"]);
  const children = [target.child, proxy.child];
  try {
    const client = new ProxyClient(`http://127.0.0.1:${proxy.ready.ports.api}`);
    const portOf = (listen: string) => Number(listen.slice(listen.lastIndexOf(":") + 1));
    const sinkDirect = target.ready.ports.sink as number;
    const echoDirect = target.ready.ports.echo as number;
    const pipe = await spawnReady([self, "--role", "pipe", "--upstream", String(sinkDirect)]);
    children.push(pipe.child);
    const sinkBare = pipe.ready.ports.port as number;
    const sinkProxied = portOf(
      (await client.createProxy("sink", "127.0.0.1:0", `127.0.0.1:${sinkDirect}`)).listen,
    );
    const echoProxied = portOf(
      (await client.createProxy("echo", "127.0.0.1:0", `127.0.0.1:${echoDirect}`)).listen,
    );

    const rows: {
      direct: number;
      proxied: number;
      bare: number;
      proxyCpu: number;
      bareCpu: number;
      machineDirect: number;
      machineProxied: number;
      d50: number;
      d99: number;
      p50: number;
      p99: number;
    }[] = [];
    console.log(`proxy overhead: ${reps} reps, ${values.mb} MiB uploads, ${trips} round trips of ${size} B`);
    console.log(
      "rep  direct MB/s  proxied MB/s  ratio   bare-pipe MB/s  proxy|bare CPU ms/GiB   direct p50/p99 ms   proxied p50/p99 ms",
    );
    for (let r = 0; r < reps; r++) {
      // Alternate the order so drift (thermal, page cache, other load) does not favour one side.
      const first = r % 2 === 0;
      const gib = bytes / 2 ** 30;
      const ends = [process.pid, target.child.pid];
      const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / gib;
      const runDirect = () => withCpu(ends, () => upload(sinkDirect, bytes));
      const runProxied = () => withCpu([...ends, proxy.child.pid], () => upload(sinkProxied, bytes));
      let d: [number, number[]];
      let p: [number, number[]];
      if (first) {
        d = await runDirect();
        p = await runProxied();
      } else {
        p = await runProxied();
        d = await runDirect();
      }
      const [[direct, directCpus], [proxied, proxiedCpus]] = [d, p];
      const proxyCpu = (proxiedCpus[2] ?? Number.NaN) / gib;
      const [bare, bareCpus] = await withCpu([pipe.child.pid], () => upload(sinkBare, bytes));
      const bareCpu = (bareCpus[0] ?? Number.NaN) / gib;
      const machineDirect = sum(directCpus);
      const machineProxied = sum(proxiedCpus);
      const l1 = await echoRtts(first ? echoDirect : echoProxied, trips, size);
      const l2 = await echoRtts(first ? echoProxied : echoDirect, trips, size);
      const [ld, lp] = first ? [l1, l2] : [l2, l1];
      const row = {
        direct,
        proxied,
        bare,
        proxyCpu,
        bareCpu,
        machineDirect,
        machineProxied,
        d50: pct(ld, 50),
        d99: pct(ld, 99),
        p50: pct(lp, 50),
        p99: pct(lp, 99),
      };
      rows.push(row);
      console.log(
        `${String(r + 1).padStart(3)}  ${direct.toFixed(0).padStart(11)}  ${proxied.toFixed(0).padStart(12)}  ${(proxied / direct).toFixed(3)}   ${bare.toFixed(0).padStart(14)}  ${proxyCpu.toFixed(0).padStart(10)}|${bareCpu.toFixed(0).padEnd(10)}  ${row.d50.toFixed(3)}/${row.d99.toFixed(3)}         ${row.p50.toFixed(3)}/${row.p99.toFixed(3)}`,
      );
    }
    const m = (f: (x: (typeof rows)[number]) => number) => median(rows.map(f));
    const summary = {
      throughputDirectMBps: m((x) => x.direct),
      throughputProxiedMBps: m((x) => x.proxied),
      throughputRatio: m((x) => x.proxied / x.direct),
      throughputBarePipeMBps: m((x) => x.bare),
      proxiedVsBarePipe: m((x) => x.proxied / x.bare),
      proxyCpuMsPerGiB: m((x) => x.proxyCpu),
      barePipeCpuMsPerGiB: m((x) => x.bareCpu),
      cpuMsPerGiBDirect: m((x) => x.machineDirect),
      cpuMsPerGiBProxied: m((x) => x.machineProxied),
      latencyDirectP50Ms: m((x) => x.d50),
      latencyDirectP99Ms: m((x) => x.d99),
      latencyProxiedP50Ms: m((x) => x.p50),
      latencyProxiedP99Ms: m((x) => x.p99),
      addedP50Ms: m((x) => x.p50 - x.d50),
      addedP99Ms: m((x) => x.p99 - x.d99),
    };
    console.log("medians over repetitions:");
    console.log(
      `  throughput: direct ${summary.throughputDirectMBps.toFixed(0)} MB/s, proxied ${summary.throughputProxiedMBps.toFixed(0)} MB/s, ratio ${summary.throughputRatio.toFixed(3)} (target >= 0.80: ${summary.throughputRatio >= 0.8 ? "met" : "MISSED"})`,
    );
    console.log(
      `  reference: bare node pipe proxy ${summary.throughputBarePipeMBps.toFixed(0)} MB/s; this proxy reaches ${(summary.proxiedVsBarePipe * 100).toFixed(0)}% of it; CPU per GiB forwarded: this proxy ${summary.proxyCpuMsPerGiB.toFixed(0)} ms, bare pipe ${summary.barePipeCpuMsPerGiB.toFixed(0)} ms`,
    );
    const cores = availableParallelism();
    console.log(
      `  CPU per GiB, client + target (+ proxy): direct ${summary.cpuMsPerGiBDirect.toFixed(0)} ms, proxied ${summary.cpuMsPerGiBProxied.toFixed(0)} ms; with ${cores} cores all busy the expected ratio is ${(summary.cpuMsPerGiBDirect / summary.cpuMsPerGiBProxied).toFixed(3)}`,
    );
    console.log(
      `  latency: direct p50 ${summary.latencyDirectP50Ms.toFixed(3)} / p99 ${summary.latencyDirectP99Ms.toFixed(3)} ms, proxied p50 ${summary.latencyProxiedP50Ms.toFixed(3)} / p99 ${summary.latencyProxiedP99Ms.toFixed(3)} ms`,
    );
    console.log(
      `  added: p50 ${summary.addedP50Ms.toFixed(3)} ms, p99 ${summary.addedP99Ms.toFixed(3)} ms (target p50 <= 0.2: ${summary.addedP50Ms <= 0.2 ? "met" : "MISSED"})`,
    );
    console.log(
      JSON.stringify({
        bench: "proxy",
        cores,
        reps,
        uploadMiB: Number(values.mb),
        roundTrips: trips,
        size,
        ...summary,
      }),
    );
  } finally {
    for (const c of children) c.kill("SIGTERM");
  }
}

if (values.role === "target") await serveTarget();
else if (values.role === "pipe") await serveBarePipe(Number(values.upstream));
else await bench();
