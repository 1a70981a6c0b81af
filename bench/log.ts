/**
 * Benchmark of the log engine (one broker process, one topic of 6 partitions, 100-byte records):
 *  (a) broker append path: a raw-socket producer pipelines pre-encoded Produce v7 requests
 *      (acks=1, one batch per partition) so only the broker's work is measured;
 *  (b) end to end through each JS client, kafkajs and @platformatic/kafka, in the same run:
 *      records/s produced and consumed (4 producer loops of 3,000-record requests, one consumer);
 *  (c) end-to-end latency p50/p99 through kafkajs at half of the rate measured in (b),
 *      open loop, measured from each record's intended send time.
 * Medians of several runs are printed. `--profile DIR` runs the broker under `node --cpu-prof`
 * during (a) and prints where its time went.
 *
 *   node --import tsx bench/log.ts [--runs 3] [--seconds 5] [--only a|b|c] [--profile DIR]
 */

import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Consumer as PltConsumer, Producer as PltProducer } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import { FrameSplitter } from "../engines/log/protocol/framing.ts";
import { decodeResponse, encodeRequest } from "../engines/log/protocol/header.ts";
import { buildBatch } from "../engines/log/records/batch-builder.ts";
import { RawClient } from "../engines/log/tools/raw-client.ts";
import { parseReady } from "../engines/shared/ready-signal.ts";
import { parseBenchArgs } from "./args.ts";
import { spawnChild } from "./children.ts";
import { summariseProfile } from "./cpu-profile-summary.ts";

const PARTITIONS = 6;
const RECORD_BYTES = 100;

const { values: args } = parseBenchArgs(
  {
    options: {
      runs: { type: "string", default: "3" },
      seconds: { type: "string", default: "5" },
      only: { type: "string" },
      profile: { type: "string" },
      "records-per-batch": { type: "string", default: "1000" },
      "in-flight": { type: "string", default: "8" },
    },
  },
  import.meta.filename,
);
const runs = Number(args.runs);
const seconds = Number(args.seconds);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

interface Broker {
  port: number;
  proc: ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

/** The machine the figures come from. */
function machine(): string {
  const c = cpus();
  return `machine: ${c.length} cpus, ${c[0]?.model ?? "unknown cpu"}, node ${process.version}`;
}

let failures = 0;
/** A figure that could not be measured: said, and the bench exits non-zero at the end. */
function unmeasured(why: string): void {
  failures++;
  console.error(`NOT MEASURED: ${why}`);
}

async function startBroker(nodeArgs: string[] = [], sets: string[] = []): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), "fb-bench-log-"));
  const proc = spawnChild(
    process.execPath,
    [
      ...nodeArgs,
      "--import",
      "tsx",
      "engines/log/main.ts",
      "--port",
      "0",
      "--data",
      dir,
      "--set",
      "segment.bytes=67108864",
      "--set",
      "retention.bytes=134217728",
      "--set",
      "log.retention.check.interval.ms=1000",
      "--set",
      "group.initial.rebalance.delay.ms=0",
      "--set",
      "message.max.bytes=4194304",
      ...sets,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on("line", (l) => {
      const r = parseReady(l);
      if (r) resolve(r.ports.kafka!);
    });
    proc.once("exit", (c) => reject(new Error(`broker exited ${c}`)));
  });
  return {
    port,
    proc,
    dir,
    async stop() {
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createTopic(port: number, topic: string): Promise<void> {
  const c = await RawClient.connect(port);
  const res = (await c.request(19, 3, {
    topics: [{ name: topic, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  })) as { topics: { name: string; errorCode: number }[] };
  c.close();
  const bad = res.topics.filter((t) => t.errorCode !== 0);
  if (res.topics.length !== 1 || bad.length > 0)
    throw new Error(`CreateTopics ${topic} failed: ${JSON.stringify(res.topics)}`);
}

/** Payloads of the raw producer: one value repeated, or distinct random bytes per record. */
type Payload = "constant" | "random";

/**
 * (a) Raw pipelined producer; returns records/s the broker appended. Every response's partition
 * error codes are read: only partitions answered with error code 0 count, and any error is
 * reported (the figure is then not a measurement of the append path).
 */
async function rawAppend(
  port: number,
  topic: string,
  recordsPerBatch: number,
  inFlight: number,
  payload: Payload,
): Promise<{ rate: number; errors: number }> {
  // Distinct random payloads: every pre-built request carries different bytes, so nothing along
  // the path can profit from identical records.
  const distinct = payload === "random" ? Math.max(inFlight, 32) : inFlight;
  const constant = Buffer.alloc(RECORD_BYTES, 0x61);
  // Pre-encoded requests; the broker stamps offsets into its own copy, so they can be resent.
  const frames = Array.from({ length: distinct }, (_, i) =>
    encodeRequest(
      { apiKey: 0, apiVersion: 7, correlationId: i, clientId: "bench" },
      {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30_000,
        topicData: [
          {
            name: topic,
            partitionData: Array.from({ length: PARTITIONS }, (_, p) => ({
              index: p,
              records: buildBatch(
                Array.from({ length: recordsPerBatch }, () => ({
                  value: payload === "random" ? randomBytes(RECORD_BYTES) : constant,
                })),
              ),
            })),
          },
        ],
      },
    ),
  );
  const socket = connect(port, "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  socket.setNoDelay(true);
  const splitter = new FrameSplitter(64 << 20);
  let answered = 0;
  let errors = 0;
  let stopAt = 0;
  let measuring = false;
  let measuredRecords = 0;
  let sent = 0;
  const done = new Promise<void>((resolve, reject) => {
    const sendOne = () => {
      socket.write(frames[sent % distinct]!);
      sent++;
    };
    socket.on("data", (d: Buffer) => {
      try {
        for (const frame of splitter.push(d)) {
          answered++;
          const body = decodeResponse(0, 7, frame).body as {
            responses: { partitionResponses: { errorCode: number }[] }[];
          };
          for (const t of body.responses) {
            for (const p of t.partitionResponses) {
              if (p.errorCode !== 0) errors++;
              else if (measuring) measuredRecords += recordsPerBatch;
            }
          }
          if (Date.now() < stopAt) sendOne();
          else if (answered === sent) resolve();
        }
      } catch (e) {
        reject(e);
      }
    });
    stopAt = Date.now() + (seconds + 1) * 1000;
    for (let i = 0; i < inFlight; i++) sendOne();
  });
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  await done;
  socket.destroy();
  return { rate: measuredRecords / elapsed, errors };
}

function kafkaClient(port: number, id: string): Kafka {
  return new Kafka({ clientId: id, brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
}

/** (b) kafkajs producer and consumer at full speed: records/s each way. */
async function kafkajsThroughput(
  port: number,
  topic: string,
): Promise<{ produced: number; consumed: number }> {
  const kafka = kafkaClient(port, "bench-b");
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: 100 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const value = Buffer.alloc(RECORD_BYTES, 0x62);
  let consumed = 0;
  let consumedInWindow = 0;
  let inWindow = false;
  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      consumed += batch.messages.length;
      if (inWindow) consumedInWindow += batch.messages.length;
    },
  });
  let produced = 0;
  let producedInWindow = 0;
  let stop = false;
  const perPartitionBatch = 500;
  const loops = Array.from({ length: 4 }, async () => {
    while (!stop) {
      await producer.sendBatch({
        acks: 1,
        topicMessages: [
          {
            topic,
            messages: Array.from({ length: perPartitionBatch * PARTITIONS }, (_, i) => ({
              value,
              partition: i % PARTITIONS,
            })),
          },
        ],
      });
      produced += perPartitionBatch * PARTITIONS;
      if (inWindow) producedInWindow += perPartitionBatch * PARTITIONS;
    }
  });
  await new Promise((r) => setTimeout(r, 1000));
  inWindow = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  inWindow = false;
  const elapsed = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  void produced;
  void consumed;
  return { produced: producedInWindow / elapsed, consumed: consumedInWindow / elapsed };
}

/** (b) the same load through @platformatic/kafka: records/s each way. */
async function platformaticThroughput(
  port: number,
  topic: string,
): Promise<{ produced: number; consumed: number }> {
  const bootstrapBrokers = [`127.0.0.1:${port}`];
  const producer = new PltProducer({ clientId: "bench-b-plt", bootstrapBrokers });
  const consumer = new PltConsumer({
    clientId: "bench-b-plt",
    groupId: `${topic}-g`,
    bootstrapBrokers,
    maxWaitTime: 100,
  });
  const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: true });
  const value = Buffer.alloc(RECORD_BYTES, 0x62);
  let consumedInWindow = 0;
  let inWindow = false;
  stream.on("data", () => {
    if (inWindow) consumedInWindow++;
  });
  let producedInWindow = 0;
  let stop = false;
  const perPartitionBatch = 500;
  const loops = Array.from({ length: 4 }, async () => {
    while (!stop) {
      await producer.send({
        acks: 1,
        messages: Array.from({ length: perPartitionBatch * PARTITIONS }, (_, i) => ({
          topic,
          value,
          partition: i % PARTITIONS,
        })),
      });
      if (inWindow) producedInWindow += perPartitionBatch * PARTITIONS;
    }
  });
  await new Promise((r) => setTimeout(r, 1000));
  inWindow = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  inWindow = false;
  const elapsed = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  await stream.close();
  await Promise.all([producer.close(), consumer.close(true)]);
  return { produced: producedInWindow / elapsed, consumed: consumedInWindow / elapsed };
}

/**
 * (c) Open-loop latency through kafkajs at `rate` records/s, measured from each record's intended
 * send time (so a stalled producer cannot hide latency). The consumer runs in its own process.
 */
async function kafkajsLatency(
  port: number,
  topic: string,
  rate: number,
): Promise<{ p50: number; p99: number; n: number }> {
  const child = spawnChild(
    process.execPath,
    ["--import", "tsx", "bench/log-latency-consumer.ts", String(port), topic, `${topic}-lat`],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const nextLine = () => new Promise<string>((resolve) => lines.once("line", resolve));
  const ready = await nextLine();
  if (ready !== "ready") throw new Error(`latency consumer said ${ready}`);
  const kafka = kafkaClient(port, "bench-c");
  const producer = kafka.producer();
  await producer.connect();
  const origin = performance.timeOrigin;
  const tickMs = 5;
  const start = performance.now();
  let sentRecords = 0;
  const inflight = new Set<Promise<unknown>>();
  const total = seconds * 1000 + 1000;
  while (performance.now() - start < total) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate) - sentRecords;
    if (due > 0) {
      const messages = Array.from({ length: due }, (_, i) => {
        const v = Buffer.alloc(RECORD_BYTES);
        // Intended send time of this record on the open-loop schedule (ms since epoch).
        v.writeDoubleBE(origin + start + ((sentRecords + i) / rate) * 1000, 0);
        return { value: v, partition: (sentRecords + i) % PARTITIONS };
      });
      sentRecords += due;
      const p = producer.send({ topic, acks: 1, messages });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, tickMs - ((performance.now() - start) % tickMs))));
  }
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 1500));
  await producer.disconnect();
  child.stdin!.write("report\n");
  const report = JSON.parse(await nextLine()) as { n: number; p50: number; p99: number };
  if (report.n < sentRecords * 0.99)
    throw new Error(`latency consumer saw ${report.n} of ${sentRecords} records`);
  return report;
}

/** Prints the broker's main-thread profile from `dir`. */
function printProfile(dir: string): void {
  // tsx's loader runs in a worker thread that writes its own (nearly idle) profile: take the
  // broker's main thread, which is the largest file.
  const file = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => ({ f, size: statSync(join(dir, f)).size }))
    .sort((x, y) => y.size - x.size)[0]?.f;
  if (file) console.log(summariseProfile(join(dir, file)));
}

async function main(): Promise<void> {
  const only = args.only;
  const recordsPerBatch = Number(args["records-per-batch"]);
  const inFlight = Number(args["in-flight"]);
  console.log(
    `log bench: ${PARTITIONS} partitions, ${RECORD_BYTES}-byte records, ${runs} runs x ${seconds}s; ${machine()}`,
  );
  if (!only || only === "a") {
    const variants: { name: string; payload: Payload; sets: string[] }[] = [
      { name: "one repeated value", payload: "constant", sets: [] },
      { name: "distinct random values", payload: "random", sets: [] },
      {
        name: "distinct random values, flush.messages=1",
        payload: "random",
        sets: ["--set", "flush.messages=1"],
      },
    ];
    for (const v of variants) {
      const rates: number[] = [];
      for (let r = 0; r < runs; r++) {
        const profiling = args.profile !== undefined && r === 0 && v.payload === "constant";
        const broker = await startBroker(
          profiling ? ["--cpu-prof", `--cpu-prof-dir=${join(args.profile!, "a")}`] : [],
          v.sets,
        );
        await createTopic(broker.port, "raw");
        const { rate, errors } = await rawAppend(broker.port, "raw", recordsPerBatch, inFlight, v.payload);
        await broker.stop();
        if (errors > 0)
          unmeasured(`(a) ${v.name}, run ${r + 1}: ${errors} partition answers carried an error code`);
        if (!(rate > 0)) unmeasured(`(a) ${v.name}, run ${r + 1}: nothing was appended`);
        rates.push(rate);
        console.log(
          `  (a) ${v.name}, run ${r + 1}: ${fmt(rate)} records/s appended${profiling ? " (profiled)" : ""}`,
        );
      }
      console.log(
        `(a) broker append path, raw pipelined Produce v7 (acks=1, ${recordsPerBatch} records/batch/partition, ${inFlight} in flight), ${v.name}: median ${fmt(median(rates))} records/s (${fmt((median(rates) * RECORD_BYTES) / 1e6)} MB/s of values)`,
      );
    }
    if (args.profile) printProfile(join(args.profile, "a"));
  }
  let kafkajsRate = 0;
  if (!only || only === "b" || only === "c") {
    const produced: number[] = [];
    const consumed: number[] = [];
    for (let r = 0; r < runs; r++) {
      const profiling = args.profile !== undefined && r === 0;
      const broker = await startBroker(
        profiling ? ["--cpu-prof", `--cpu-prof-dir=${join(args.profile!, "b")}`] : [],
      );
      await createTopic(broker.port, "kjs");
      const t = await kafkajsThroughput(broker.port, "kjs");
      await broker.stop();
      if (!(t.produced > 0) || !(t.consumed > 0))
        unmeasured(`(b) run ${r + 1}: produced ${t.produced}/s, consumed ${t.consumed}/s`);
      produced.push(t.produced);
      consumed.push(t.consumed);
      console.log(`  (b) run ${r + 1}: produced ${fmt(t.produced)}/s, consumed ${fmt(t.consumed)}/s`);
    }
    kafkajsRate = Math.min(median(produced), median(consumed));
    if (!only || only === "b") {
      console.log(
        `(b) kafkajs end to end: median produced ${fmt(median(produced))} records/s, consumed ${fmt(median(consumed))} records/s`,
      );
      if (args.profile) printProfile(join(args.profile, "b"));
      const pProduced: number[] = [];
      const pConsumed: number[] = [];
      for (let r = 0; r < runs; r++) {
        const broker = await startBroker();
        await createTopic(broker.port, "plt");
        const t = await platformaticThroughput(broker.port, "plt");
        await broker.stop();
        pProduced.push(t.produced);
        pConsumed.push(t.consumed);
        console.log(
          `  (b) platformatic run ${r + 1}: produced ${fmt(t.produced)}/s, consumed ${fmt(t.consumed)}/s`,
        );
      }
      console.log(
        `(b) @platformatic/kafka end to end: median produced ${fmt(median(pProduced))} records/s, consumed ${fmt(median(pConsumed))} records/s (${(Math.min(median(pProduced), median(pConsumed)) / kafkajsRate).toFixed(2)}x kafkajs)`,
      );
    }
  }
  if (!only || only === "c") {
    const rate = Math.max(1000, Math.round(kafkajsRate / 2));
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let r = 0; r < runs; r++) {
      const broker = await startBroker();
      await createTopic(broker.port, "lat");
      const l = await kafkajsLatency(broker.port, "lat", rate);
      await broker.stop();
      if (!(l.n > 0) || !Number.isFinite(l.p99)) unmeasured(`(c) run ${r + 1}: no latency samples`);
      p50s.push(l.p50);
      p99s.push(l.p99);
      console.log(
        `  (c) run ${r + 1}: p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms over ${fmt(l.n)} records`,
      );
    }
    console.log(
      `(c) kafkajs end-to-end latency at ${fmt(rate)} records/s (half of (b)): median p50 ${median(p50s).toFixed(1)} ms, median p99 ${median(p99s).toFixed(1)} ms`,
    );
  }
}

await main();
if (failures > 0) {
  console.error(`${failures} figure(s) could not be measured`);
  process.exit(1);
}
