/**
 * Micro-benchmarks of the hot paths, with tinybench: Kafka Produce request decode and encode,
 * CRC-32C over a 16 KiB batch, record batch build (100 records), HDR histogram record, memory
 * channel put/commit + take/commit, schedule generation and payload parse. Prints a table and
 * writes JSON (one entry per task: ops/s, mean and p99 latency, relative margin of error, samples)
 * that a later run, or the CI regression gate, can compare against.
 *
 *     node --import tsx bench/micro.ts [--time MS] [--out FILE] [--compare FILE]
 *
 * `--compare FILE` prints each task's change against a saved run (ops/s, with both margins of
 * error, so a difference inside the noise reads as such).
 */

import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { Bench } from "tinybench";
import { MemoryChannel } from "../engines/agent/memory-channel.ts";
import { decodeRequest, encodeRequest } from "../engines/log/protocol/header.ts";
import { buildBatch } from "../engines/log/records/batch-builder.ts";
import { crc32c } from "../engines/log/records/crc32c.ts";
import { decodePayload, encodePayload } from "../harness/generator/payload.ts";
import { Schedule } from "../harness/generator/schedule.ts";
import { LatencyHistogram } from "../harness/metrics/histogram.ts";
import { parseBenchArgs } from "./args.ts";

const { values: args } = parseBenchArgs(
  {
    options: {
      time: { type: "string", default: "500" },
      out: { type: "string" },
      compare: { type: "string" },
    },
  },
  import.meta.filename,
);

const records = Array.from({ length: 100 }, (_, i) => ({
  key: Buffer.from(`k${i % 8}`),
  value: Buffer.from(encodePayload(0, i, 1_000_000 + i, 100)),
}));
const batch = buildBatch(records, { baseTimestamp: 1000 });
const produce = { apiKey: 0, apiVersion: 7, correlationId: 1, clientId: "bench" };
const produceBody = {
  transactionalId: null,
  acks: 1,
  timeoutMs: 1000,
  topicData: [{ name: "bench", partitionData: [{ index: 0, records: batch }] }],
};
const produceFrame = encodeRequest(produce, produceBody).subarray(4);
const crcBuf = Buffer.alloc(16_384, 7);
const histogram = new LatencyHistogram();
let v = 1;
const channel = new MemoryChannel({
  type: "memory",
  name: "c1",
  capacity: 100_000,
  transactionCapacity: 1000,
  keepAliveMs: 1000,
});
await channel.start();
const events = Array.from({ length: 100 }, (_, i) => ({ headers: {}, body: encodePayload(0, i, i, 100) }));
const bodies = Array.from({ length: 1000 }, (_, i) => encodePayload(i % 4, i, 123_456_789 + i, 100));
const scheduleWorkload = {
  rate: 100_000,
  arrival: "poisson" as const,
  producers: 8,
  keys: 16,
  warmup: 0,
  duration: 100,
};

const bench = new Bench({ name: "faultbench hot paths", time: Number(args.time), warmupTime: 100 });
bench
  .add("kafka: decode Produce v7 (100 records)", () => {
    decodeRequest(produceFrame);
  })
  .add("kafka: encode Produce v7 (100 records)", () => {
    encodeRequest(produce, produceBody);
  })
  .add("crc32c: 16 KiB", () => {
    crc32c(crcBuf);
  })
  .add("record batch: build 100 records", () => {
    buildBatch(records, { baseTimestamp: 1000 });
  })
  .add("hdr: record one latency", () => {
    v = (v * 1103515245 + 12345) % 2_000_000;
    histogram.record(v);
  })
  .add("memory channel: put+commit, take+commit 100 events", async () => {
    const put = channel.begin();
    for (const e of events) put.put(e);
    await put.commit();
    const take = channel.begin();
    for (let i = 0; i < 100; i++) take.take();
    await take.commit();
  })
  .add("schedule: plan 10,000 messages (poisson, keys)", () => {
    const s = new Schedule(scheduleWorkload, 7);
    while (s.next() !== undefined);
  })
  .add("payload: parse 1,000 bodies", () => {
    for (const b of bodies) decodePayload(b);
  });

await bench.run();
await channel.stop();

interface Entry {
  name: string;
  opsPerSec: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  rmePct: number;
  samples: number;
}
const entries: Entry[] = bench.tasks.map((t) => {
  const r = t.result as unknown as {
    state?: string;
    error?: Error;
    throughput?: { mean: number };
    latency?: { mean: number; p50: number; p99: number; rme: number; samplesCount: number };
  };
  if (!r?.latency || !r.throughput) throw new Error(`${t.name} failed: ${r?.error?.message ?? r?.state}`);
  return {
    name: t.name,
    opsPerSec: Math.round(r.throughput.mean),
    meanMs: r.latency.mean,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    rmePct: Math.round(r.latency.rme * 100) / 100,
    samples: r.latency.samplesCount,
  };
});
const out = {
  schemaVersion: 1,
  kind: "micro-benchmarks",
  tool: "tinybench 6.2.5",
  node: process.version,
  cpu: cpus()[0]?.model ?? "",
  cpus: cpus().length,
  at: new Date().toISOString(),
  timeMsPerTask: Number(args.time),
  results: entries,
};
const base = args.compare
  ? new Map(
      (JSON.parse(readFileSync(args.compare, "utf8")) as typeof out).results.map((e) => [e.name, e] as const),
    )
  : undefined;
const us = (ms: number) => `${(ms * 1000).toFixed(ms < 0.01 ? 3 : 1)} µs`;
console.log(
  `${"task".padEnd(52)} ${"ops/s".padStart(12)} ${"mean".padStart(11)} ${"median".padStart(11)} ${"p99".padStart(11)}   ±rme${base ? "   vs saved" : ""}`,
);
for (const e of entries) {
  const b = base?.get(e.name);
  const change = b
    ? `   ${(((e.opsPerSec - b.opsPerSec) / b.opsPerSec) * 100).toFixed(1).padStart(6)}% (±${e.rmePct}% / ±${b.rmePct}%)`
    : "";
  console.log(
    `${e.name.padEnd(52)} ${e.opsPerSec.toLocaleString("en-US").padStart(12)} ${us(e.meanMs).padStart(11)} ${us(e.p50Ms).padStart(11)} ${us(e.p99Ms).padStart(11)}   ±${e.rmePct}%${change}`,
  );
}
if (args.out) {
  writeFileSync(args.out, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`written: ${args.out}`);
}
