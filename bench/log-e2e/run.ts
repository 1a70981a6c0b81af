/**
 * One raw end-to-end measurement on a running cluster: a raw producer process (producer.ts) at a
 * fixed open-loop rate with acks=all and a raw long-polling consumer process (consumer.ts), no
 * client library in the path. Producer and consumer are child processes rather than worker
 * threads: each gets its own event loop and heap (a garbage collection in one cannot delay the
 * other's timestamps) and its own pid, so /proc shows what the load path costs next to the brokers.
 * Warm-up first, then a measured window; the latency counts records due in the window.
 *
 * Measured 2026-12-01 on the shared 2-core machine while other work used 0.9–1.6 of its cores
 * (load average 5–11), so these are a busy machine's figures, not the engine's best:
 * `node --import tsx bench/log-cluster.ts --only c --runs 3 --seconds 3 --e2e-ladder 5k,50k,200k`
 * gave medians of p99 63–217 ms at 5,000 records/s, 69–78 ms at 50,000, 100–286 ms at 200,000,
 * and at half of (a)'s acks=all rate (200,000–500,000) the brokers, held to 0.3–0.8 cores, did
 * not keep up. In a quieter second (others ≈ 0) 5,000 records/s gave p50 2.0 / p99 14.5 ms due →
 * consumed and p50 0.76 / p99 11.1 ms sent → consumed. The brokers spend 0.8–1.0 cores at 5,000
 * records/s: each millisecond brings a small Produce per leader, two follower fetch round trips
 * and a consumer fetch, and their self time is mostly syscalls (writev, file writes). The target
 * (p99 ≤ 10 ms at half the acks=all rate) was not met here; judge it on an idle machine.
 */

import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { readMachineCpu, readProcessCpu } from "../../harness/resources/proc-stat.ts";
import type { Percentiles } from "../../harness/results/types.ts";
import { spawnChild } from "../children.ts";
import type { ConsumerOptions, ConsumerReport } from "./consumer.ts";
import type { ProducerOptions, ProducerReport } from "./producer.ts";

export interface RawE2EOptions {
  topic: string;
  partitions: number;
  leaders: Array<{ port: number; partitions: number[] }>;
  /** Records per second, open loop. */
  rate: number;
  warmupMs: number;
  measureMs: number;
  recordBytes: number;
  /** Connections per leader broker (each carries one Produce at a time). */
  connections: number;
  maxBatchRecords: number;
  brokerPids: number[];
}

export interface RawE2EResult {
  rate: number;
  /** Due → consumed, records due in the window. */
  e2e: Percentiles;
  /** Batch sent → consumed. */
  fromSend: Percentiles;
  /** Producer: send → acks=all acknowledgement, and due → send. */
  ack: Percentiles;
  queued: Percentiles;
  /** Records per second consumed while the window lasted. */
  delivered: number;
  errors: Record<string, number>;
  /** Cores used during the window. */
  cpu: { brokers: number; producer: number; consumer: number; machine: number };
  backlogAtEnd: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function child(file: string, arg: unknown) {
  const proc = spawnChild(
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL(file, import.meta.url)), JSON.stringify(arg)],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: proc.stdout! });
  const queue: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  let exited: string | undefined;
  lines.on("line", (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else queue.push(l);
  });
  const failed = new Promise<never>((_, reject) => {
    proc.once("exit", (code, signal) => {
      exited = `${file} exited (${signal ?? code})`;
      // Lines already printed are still read before this rejects anyone waiting for more.
      setImmediate(() => reject(new Error(exited)));
    });
  });
  failed.catch(() => {});
  return {
    proc,
    send: (l: string) => proc.stdin!.write(`${l}\n`),
    line: (): Promise<string> => {
      const q = queue.shift();
      if (q !== undefined) return Promise.resolve(q);
      if (exited) return Promise.reject(new Error(exited));
      return Promise.race([new Promise<string>((r) => waiters.push(r)), failed]);
    },
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    },
  };
}

export async function rawEndToEnd(o: RawE2EOptions): Promise<RawE2EResult> {
  const producerOpts: ProducerOptions = {
    topic: o.topic,
    rate: o.rate,
    partitions: o.partitions,
    leaders: o.leaders,
    connections: o.connections,
    maxBatchRecords: o.maxBatchRecords,
    recordBytes: o.recordBytes,
    durationMs: o.warmupMs + o.measureMs,
    warmupMs: o.warmupMs,
  };
  const consumerOpts: ConsumerOptions = { topic: o.topic, leaders: o.leaders, maxWaitMs: 500 };
  const consumer = child("./consumer.ts", consumerOpts);
  const producer = child("./producer.ts", producerOpts);
  try {
    const [c, p] = await Promise.all([consumer.line(), producer.line()]);
    if (c !== "ready" || p !== "ready") throw new Error(`raw e2e children did not start: ${c} / ${p}`);
    const t0 = process.hrtime.bigint() + 200_000_000n;
    const lo = t0 + BigInt(o.warmupMs) * 1_000_000n;
    const hi = lo + BigInt(o.measureMs) * 1_000_000n;
    consumer.send(`window ${lo} ${hi}`);
    producer.send(`go ${t0}`);
    const producerDone = producer.line();
    producerDone.catch(() => {});
    const cpuNow = () => ({
      brokers: o.brokerPids.reduce((s, pid) => s + (readProcessCpu(pid) ?? Number.NaN), 0),
      producer: readProcessCpu(producer.proc.pid!) ?? Number.NaN,
      consumer: readProcessCpu(consumer.proc.pid!) ?? Number.NaN,
      machine: readMachineCpu()?.busy ?? Number.NaN,
    });
    await sleep(Number(lo - process.hrtime.bigint()) / 1e6);
    const cpu0 = cpuNow();
    await sleep(Number(hi - process.hrtime.bigint()) / 1e6);
    const cpu1 = cpuNow();
    const secs = o.measureMs / 1000;
    const pr = JSON.parse(await producerDone) as ProducerReport;
    consumer.send(`report ${pr.acked}`);
    const cr = JSON.parse(await consumer.line()) as ConsumerReport;
    if (cr.received < pr.acked)
      throw new Error(`the consumer received ${cr.received} of ${pr.acked} acknowledged records`);
    const errors = { ...pr.errors };
    for (const [k, v] of Object.entries(cr.errors)) errors[`fetch ${k}`] = v;
    return {
      rate: o.rate,
      e2e: cr.e2e,
      fromSend: cr.fromSend,
      ack: pr.ack,
      queued: pr.queued,
      delivered: cr.receivedDuringWindow / secs,
      errors,
      cpu: {
        brokers: (cpu1.brokers - cpu0.brokers) / secs,
        producer: (cpu1.producer - cpu0.producer) / secs,
        consumer: (cpu1.consumer - cpu0.consumer) / secs,
        machine: (cpu1.machine - cpu0.machine) / secs,
      },
      backlogAtEnd: pr.backlogAtEnd,
    };
  } finally {
    producer.kill();
    consumer.kill();
  }
}
