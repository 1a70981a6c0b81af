/**
 * What an OffsetCommit costs on the replicated log: three broker processes on this machine
 * (combined controller quorum, min.insync.replicas=2), raw OffsetCommit v7 requests to the group
 * coordinator, each committing one partition's offset for its own group (as kafkajs's per-batch
 * autoCommit does), closed loop: `--concurrency` committers each wait for their answer before the
 * next commit. Prints per run and as medians of `--runs`:
 *   p50/p99 of the OffsetCommit round trip and commits/s;
 *   bytes per commit = read + write syscall bytes (sockets and files: /proc/PID/io rchar + wchar)
 *     of the three broker processes over the run, divided by the commits — what the commit path
 *     moves between the nodes and to disk, client traffic included (about 200 bytes a commit);
 *   broker CPU per commit = user + system CPU of the three broker processes over the run, divided
 *     by the commits (µs) — a cost the shared machine's noise disturbs far less than latency;
 *   the metadata image the controller pushes to brokers, in bytes of JSON, at the end of the run.
 * `--kafkajs-e2e RATE` adds, on the same cluster, kafkajs end to end at RATE records/s (RF=3,
 * acks=all, 6 partitions, 100-byte records; latency from each record's intended send time to the
 * consumer's eachBatch): once with kafkajs's autoCommit, which commits after every batch and waits
 * for the answer, and once committing every 5 s in the background — the difference is what the
 * per-batch commits cost end to end (bench/log-latency-consumer.ts is the consumer).
 * `--load-commits N` (default 100000; 0 skips it): what taking over costs, in this process on a real
 * partition log — N single-partition commits over 1,000 groups × 16 partitions (16,000 keys)
 * (`--load-groups 1000,10`: 1,000 groups, then 10 groups × 16 = 160 keys) appended to an offsets
 * partition configured as a cluster creates it (cleanup.policy=compact,
 * segment.bytes = offsets.topic.segment.bytes, 1 MiB), then the time a new leader takes to load
 * them (`loadCommits` reads the whole log) before and after the log cleaner has run over it, side
 * by side on the same log, with the cleaning's own time and the log's size; medians of `--runs`.
 * `--load-only` skips the cluster cases (only the load figure).
 * `--root DIR` runs the brokers from another checkout of this repository (to compare two versions
 * side by side: alternate runs of each, as the machine is shared). The bench's client shares the
 * machine's cores with the brokers, so figures are noisy; the load average is printed.
 *
 *   node --import tsx bench/offset-commits.ts [--runs 3] [--seconds 5] [--concurrency 1,16] [--root DIR]
 *        [--kafkajs-e2e 5000] [--load-commits 100000] [--load-groups 1000,10] [--load-only]
 */

import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { cleanLog } from "../engines/log/cleaner/log-cleaner.ts";
import { parseBrokerConfig } from "../engines/log/config.ts";
import { encodeCommit, loadCommits } from "../engines/log/groups/offsets-log.ts";
import { RpcClient } from "../engines/log/rpc/rpc.ts";
import { withTopicConfigs } from "../engines/log/storage/log-config.ts";
import { PartitionLog } from "../engines/log/storage/partition-log.ts";
import { RawClient } from "../engines/log/tools/raw-client.ts";
import { parseReady } from "../engines/shared/ready-signal.ts";
import { readProcessCpu } from "../harness/resources/proc-stat.ts";
import { pickPorts } from "../lib/pick-ports.ts";
import { parseBenchArgs } from "./args.ts";
import { spawnChild } from "./children.ts";
import { kafkajsEndToEnd } from "./kafkajs-e2e.ts";

const { values: args } = parseBenchArgs(
  {
    options: {
      runs: { type: "string", default: "3" },
      seconds: { type: "string", default: "5" },
      concurrency: { type: "string", default: "1,16" },
      root: { type: "string", default: "." },
      "kafkajs-e2e": { type: "string" },
      "load-commits": { type: "string", default: "100000" },
      "load-only": { type: "boolean", default: false },
      "load-groups": { type: "string", default: "1000,10" },
    },
  },
  import.meta.filename,
);
const runs = Number(args.runs);
const seconds = Number(args.seconds);
const concurrencies = args.concurrency!.split(",").map(Number);
if (
  !Number.isInteger(runs) ||
  runs < 1 ||
  !(seconds > 0) ||
  concurrencies.some((c) => !Number.isInteger(c) || c < 1)
) {
  console.error("--runs must be ≥ 1, --seconds > 0, --concurrency a list of integers ≥ 1 (e.g. 1,16)");
  process.exit(2);
}
const root = resolve(args.root!);
const loadN = Number(args["load-commits"]);
const loadGroups = args["load-groups"]!.split(",").map(Number);
if (loadGroups.some((g) => !Number.isInteger(g) || g < 1)) {
  console.error("--load-groups must be a list of group counts ≥ 1 (e.g. 1000,10)");
  process.exit(2);
}
if (!Number.isInteger(loadN) || loadN < 0) {
  console.error("--load-commits must be a whole number of commits (0 skips the load case)");
  process.exit(2);
}
const e2eRate = args["kafkajs-e2e"] === undefined ? 0 : Number(args["kafkajs-e2e"]);
if (!(e2eRate >= 0) || !Number.isFinite(e2eRate)) {
  console.error("--kafkajs-e2e must be a rate in records/s (e.g. 5000)");
  process.exit(2);
}
const TOPIC = "committed";
const PARTITIONS = 16;

const SETS = {
  "default.replication.factor": "3",
  "min.insync.replicas": "2",
  "broker.session.timeout.ms": "3000",
  "broker.heartbeat.interval.ms": "300",
  "controller.quorum.election.timeout.ms": "500",
  "group.initial.rebalance.delay.ms": "0",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

interface Node {
  id: number;
  port: number;
  proc: ChildProcess;
}

function spawnNode(id: number, nodeArgs: string[]): Promise<Node> {
  const proc = spawnChild(process.execPath, ["--import", "tsx", "engines/log/main.ts", ...nodeArgs], {
    cwd: root,
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Promise((res, rej) => {
    createInterface({ input: proc.stdout! }).on("line", (l) => {
      const r = parseReady(l);
      if (r) res({ id, port: r.ports.kafka!, proc });
    });
    proc.once("exit", (c) => rej(new Error(`node ${id} exited ${c}`)));
  });
}

async function startCluster(): Promise<{ nodes: Node[]; controllerPorts: number[]; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "fb-bench-commits-"));
  const ports = await pickPorts(6);
  const controllers = [1, 2, 3].map((i) => `${i}@127.0.0.1:${ports[2 + i]}`).join(",");
  const sets = Object.entries(SETS).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
  const nodes = await Promise.all(
    [1, 2, 3].map((i) =>
      spawnNode(i, [
        "--node-id",
        String(i),
        "--port",
        String(ports[i - 1]),
        "--data",
        join(dir, `b${i}`),
        "--controllers",
        controllers,
        ...sets,
      ]),
    ),
  );
  return {
    nodes,
    controllerPorts: ports.slice(3),
    async stop() {
      await Promise.all(
        nodes.map(async (n) => {
          if (n.proc.exitCode !== null || n.proc.signalCode !== null) return;
          const exited = new Promise((r) => n.proc.once("exit", r));
          n.proc.kill("SIGKILL");
          await exited;
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** rchar + wchar of a process: bytes through read and write syscalls (sockets, pipes and files). */
function ioBytes(pid: number): number {
  const t = readFileSync(`/proc/${pid}/io`, "utf8");
  const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, "m").exec(t)?.[1] ?? 0);
  return get("rchar") + get("wchar");
}

/** Creates the topic, then asks FindCoordinator until a coordinator answers; its Kafka port. */
async function setUp(nodes: Node[]): Promise<number> {
  const c = await RawClient.connect(nodes[0]!.port);
  try {
    await c.request(19, 3, {
      topics: [
        { name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: [] },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const r = (await c.request(10, 2, { key: "bench-0", keyType: 0 })) as {
        errorCode: number;
        port: number;
      };
      if (r.errorCode === 0) return r.port;
      await sleep(100);
    }
    throw new Error("no group coordinator within 20 s");
  } finally {
    c.close();
  }
}

async function commitOnce(c: RawClient, group: string, partition: number, offset: number): Promise<void> {
  const r = (await c.request(8, 7, {
    groupId: group,
    generationId: -1,
    memberId: "",
    groupInstanceId: null,
    topics: [
      {
        name: TOPIC,
        partitions: [{ partitionIndex: partition, committedOffset: offset, committedMetadata: null }],
      },
    ],
  })) as { topics: Array<{ partitions: Array<{ errorCode: number }> }> };
  const code = r.topics[0]?.partitions[0]?.errorCode;
  if (code !== 0) throw new Error(`OffsetCommit answered error ${code}`);
}

interface CaseFigures {
  p50: number;
  p99: number;
  perSecond: number;
  bytesPerCommit: number;
  cpuUsPerCommit: number;
}

async function runCase(port: number, nodes: Node[], concurrency: number): Promise<CaseFigures> {
  const clients = await Promise.all(Array.from({ length: concurrency }, () => RawClient.connect(port)));
  try {
    // Warm up: every group exists (and a new coordinator has loaded its table) before the clock starts.
    await Promise.all(
      clients.map(async (c, w) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await commitOnce(c, `bench-${w}`, w % PARTITIONS, 0);
          } catch (e) {
            if (attempt >= 100) throw e;
            await sleep(100);
          }
        }
      }),
    );
    const io0 = nodes.reduce((s, n) => s + ioBytes(n.proc.pid!), 0);
    const cpu0 = nodes.reduce((s, n) => s + (readProcessCpu(n.proc.pid!) ?? Number.NaN), 0);
    const samples: number[] = [];
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c, w) => {
        for (let offset = 1; performance.now() < end; offset++) {
          const s = performance.now();
          await commitOnce(c, `bench-${w}`, w % PARTITIONS, offset);
          samples.push(performance.now() - s);
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const io1 = nodes.reduce((s, n) => s + ioBytes(n.proc.pid!), 0);
    const cpu1 = nodes.reduce((s, n) => s + (readProcessCpu(n.proc.pid!) ?? Number.NaN), 0);
    samples.sort((a, b) => a - b);
    return {
      p50: pct(samples, 0.5),
      p99: pct(samples, 0.99),
      perSecond: samples.length / elapsed,
      bytesPerCommit: (io1 - io0) / samples.length,
      cpuUsPerCommit: ((cpu1 - cpu0) * 1e6) / samples.length,
    };
  } finally {
    for (const c of clients) c.close();
  }
}

const E2E_PARTITIONS = 6;
const RECORD_BYTES = 100;

async function createTopic(port: number, name: string, partitions: number): Promise<void> {
  const c = await RawClient.connect(port);
  try {
    await c.request(19, 3, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 3, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
  } finally {
    c.close();
  }
}

interface LoadFigures {
  ms: number;
  bytes: number;
  live: number;
  segments: number;
}

/** Times `loadCommits` over the whole log; checks the table against the one loaded before. */
async function timeLoad(log: PartitionLog, expect?: string): Promise<LoadFigures & { table: string }> {
  const t0 = performance.now();
  const table = await loadCommits(log, () => true);
  const ms = performance.now() - t0;
  let live = 0;
  for (const g of table!.values()) live += g.size;
  // Sorted: cleaning changes which record of a group comes first, so the maps' insertion order.
  const text = JSON.stringify(
    [...table!]
      .map(([g, m]) => [g, [...m].sort(([a], [b]) => (a < b ? -1 : 1))])
      .sort(([a], [b]) => (a! < b! ? -1 : 1)),
  );
  if (expect !== undefined && text !== expect) throw new Error("the cleaned log loads a different table");
  return { ms, bytes: log.sizeBytes, live, segments: log.segmentCount, table: text };
}

/**
 * Appends `n` commits to a fresh offsets partition log (compacted, as a cluster creates it), times
 * a load, cleans it, times a load again.
 */
async function loadCase(
  n: number,
  groups: number,
): Promise<{ before: LoadFigures; after: LoadFigures; cleanMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), "fb-bench-load-"));
  const broker = parseBrokerConfig({});
  const log = PartitionLog.open(
    dir,
    "__consumer_offsets",
    0,
    withTopicConfigs(broker.log, {
      "cleanup.policy": "compact",
      "segment.bytes": String(broker.offsetsTopicSegmentBytes),
    }),
  );
  try {
    for (let i = 0; i < n; i++) {
      log.append(
        encodeCommit(`group-${i % groups}`, [
          { topic: TOPIC, partition: Math.floor(i / groups) % PARTITIONS, offset: i, metadata: null },
        ]),
      );
    }
    log.advanceHighWatermark(log.logEndOffset);
    const before = await timeLoad(log);
    const t0 = performance.now();
    const cleaned = await cleanLog(log, { force: true });
    const cleanMs = performance.now() - t0;
    if (cleaned.kind !== "cleaned") throw new Error(`the cleaner did not clean: ${JSON.stringify(cleaned)}`);
    const after = await timeLoad(log, before.table);
    return { before, after, cleanMs };
  } finally {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The metadata image as the active controller sends it to a broker (JSON bytes). */
async function imageBytes(controllerPorts: number[]): Promise<number> {
  for (const p of controllerPorts) {
    const rpc = new RpcClient("127.0.0.1", p);
    try {
      const image = await rpc.call("broker.metadata", { since: -1, maxWaitMs: 0 }, 2000);
      return Buffer.byteLength(JSON.stringify(image));
    } catch {
      // A standby answers NOT_CONTROLLER: try the next voter.
    } finally {
      rpc.close();
    }
  }
  return Number.NaN;
}

async function main(): Promise<void> {
  console.log(`engine tree: ${root}; load average at start: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
  const all = new Map<number, CaseFigures[]>(concurrencies.map((c) => [c, []]));
  const images: number[] = [];
  const e2e = new Map<string, Array<{ p50: number; p99: number }>>([
    ["each-batch", []],
    ["interval", []],
  ]);
  for (let run = 1; run <= (args["load-only"] ? 0 : runs); run++) {
    const cluster = await startCluster();
    try {
      const port = await setUp(cluster.nodes);
      for (const c of concurrencies) {
        const f = await runCase(port, cluster.nodes, c);
        all.get(c)!.push(f);
        console.log(
          `run ${run}, ${c} committer(s): p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, ` +
            `${Math.round(f.perSecond)} commits/s, ${Math.round(f.bytesPerCommit)} bytes/commit, ${Math.round(f.cpuUsPerCommit)} µs broker CPU/commit (load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]})`,
        );
      }
      images.push(await imageBytes(cluster.controllerPorts));
      if (e2eRate > 0) {
        const ports = cluster.nodes.map((n) => n.port);
        // Alternate which commit mode goes first, so machine drift within a run hits both alike.
        const modes = run % 2 ? (["each-batch", "interval"] as const) : (["interval", "each-batch"] as const);
        for (const mode of modes) {
          const topic = `e2e-${mode}`;
          await createTopic(ports[0]!, topic, E2E_PARTITIONS);
          await sleep(500);
          const l = await kafkajsEndToEnd({
            ports,
            topic,
            group: `${topic}-${mode}`,
            clientId: "bench-commits",
            rate: e2eRate,
            sendMs: seconds * 1000,
            partitions: E2E_PARTITIONS,
            recordBytes: RECORD_BYTES,
            commit: mode,
          });
          e2e.get(mode)!.push(l);
          console.log(
            `run ${run}, kafkajs end to end at ${e2eRate} records/s, commits ${mode}: p50 ${l.p50.toFixed(1)} ms, ` +
              `p99 ${l.p99.toFixed(1)} ms over ${l.n} records (load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]})`,
          );
        }
      }
    } finally {
      await cluster.stop();
    }
  }
  for (const [c, fs] of all) {
    if (fs.length === 0) continue;
    console.log(
      `median of ${runs}, ${c} committer(s): p50 ${median(fs.map((f) => f.p50)).toFixed(2)} ms, ` +
        `p99 ${median(fs.map((f) => f.p99)).toFixed(2)} ms, ${Math.round(median(fs.map((f) => f.perSecond)))} commits/s, ` +
        `${Math.round(median(fs.map((f) => f.bytesPerCommit)))} bytes/commit and ${Math.round(median(fs.map((f) => f.cpuUsPerCommit)))} µs of CPU per commit over the three brokers`,
    );
  }
  if (images.length > 0)
    console.log(
      `metadata image pushed to each broker per change: ${Math.round(median(images))} bytes (median at run end)`,
    );
  for (const groups of loadN > 0 ? loadGroups : []) {
    const cases: Array<Awaited<ReturnType<typeof loadCase>>> = [];
    for (let run = 1; run <= runs; run++) {
      const c = await loadCase(loadN, groups);
      cases.push(c);
      const la = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
      console.log(
        `load run ${run}, ${groups * PARTITIONS} keys: before cleaning ${c.before.ms.toFixed(0)} ms over ` +
          `${Math.round(c.before.bytes / 1024)} KiB (${c.before.segments} segments); cleaning ${c.cleanMs.toFixed(0)} ms; ` +
          `after ${c.after.ms.toFixed(1)} ms over ${Math.round(c.after.bytes / 1024)} KiB (${c.after.segments} segments) (load ${la})`,
      );
    }
    const m = (f: (c: (typeof cases)[number]) => number) => median(cases.map(f));
    const last = cases.at(-1)!;
    console.log(
      `a new coordinator loads ${loadN} commits to ${last.before.live} keys: ${Math.round(m((c) => c.before.ms))} ms ` +
        `over ${Math.round(last.before.bytes / 1024)} KiB uncleaned, ${m((c) => c.after.ms).toFixed(1)} ms over ` +
        `${Math.round(last.after.bytes / 1024)} KiB once cleaned (${(m((c) => c.before.ms) / m((c) => c.after.ms)).toFixed(1)}× faster; ` +
        `the cleaning took ${Math.round(m((c) => c.cleanMs))} ms; medians of ${runs})`,
    );
  }
  for (const [mode, ls] of e2e) {
    if (ls.length === 0) continue;
    console.log(
      `median of ${runs}, kafkajs end to end at ${e2eRate} records/s, commits ${mode === "each-batch" ? "after every batch (autoCommit)" : "every 5 s"}: ` +
        `p50 ${median(ls.map((l) => l.p50)).toFixed(1)} ms, p99 ${median(ls.map((l) => l.p99)).toFixed(1)} ms`,
    );
  }
  console.log(`load average at end: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
