/**
 * The producing side of the raw end-to-end benchmark, a child process of its own (so the
 * consumer's receive times never wait behind this event loop). An open-loop schedule: record g is
 * due at t0 + g/rate and goes to partition g mod P. Every millisecond the records now due are added
 * to their partitions' pending runs; each leader broker has a few connections, and every idle one
 * takes all pending records of that leader's partitions as one Produce v7 request (acks=all), one
 * pre-built batch per partition, stamped (stamp.ts) with its records' due times and its send time.
 * A broker handles one request per connection at a time, so when every connection waits for its
 * acknowledgement records pile up and the next batch is larger, as a real client's batching does;
 * their waiting counts in the latency, which is measured from the due time (no coordinated omission).
 *
 * argv[2]: JSON {topic, rate, partitions, leaders: [{port, partitions}], connections, maxBatchRecords,
 * recordBytes, durationMs, warmupMs}. The ack and queueing figures count batches whose oldest record
 * is due after the first warmupMs, the same window the consumer measures end-to-end latency in. Prints "ready" once connected; on the stdin line "go <t0 ns>" runs the
 * schedule until t0 + durationMs, sends what is still pending, waits for every answer, prints one JSON
 * line (ProducerReport) and exits. Exits when stdin closes (the parent died).
 */

import { createInterface } from "node:readline";
import type { ProduceResponse } from "../../engines/log/protocol/apis/produce.ts";
import { RawClient } from "../../engines/log/tools/raw-client.ts";
import { LatencyHistogram } from "../../harness/metrics/histogram.ts";
import type { Percentiles } from "../../harness/results/types.ts";
import { dueCount } from "./schedule.ts";
import { batchTemplate, stampBatch } from "./stamp.ts";

export interface ProducerOptions {
  topic: string;
  rate: number;
  partitions: number;
  leaders: Array<{ port: number; partitions: number[] }>;
  connections: number;
  maxBatchRecords: number;
  recordBytes: number;
  durationMs: number;
  /** Batches whose oldest record is due before t0 + warmupMs are sent but not counted in ack/queued. */
  warmupMs: number;
}

export interface ProducerReport {
  /** Records the schedule produced (all were sent). */
  generated: number;
  acked: number;
  /** Records answered with an error, by error code. */
  errors: Record<string, number>;
  /** Send → acknowledgement, per record (after the warm-up). */
  ack: Percentiles;
  /** Due → send of each batch's oldest record (after the warm-up): how long records waited in the producer. */
  queued: Percentiles;
  requests: number;
  /** Records still due but unsent when the schedule ended (the producer fell behind). */
  backlogAtEnd: number;
}

const opts = JSON.parse(process.argv[2] ?? "{}") as ProducerOptions;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Conn {
  client: RawClient;
  busy: boolean;
}

const leaders = await Promise.all(
  opts.leaders.map(async (l) => ({
    partitions: l.partitions,
    conns: await Promise.all(
      Array.from(
        { length: opts.connections },
        async (): Promise<Conn> => ({ client: await RawClient.connect(l.port), busy: false }),
      ),
    ),
  })),
);

const templates = new Map<number, Buffer>();
const template = (n: number) => {
  let t = templates.get(n);
  if (!t) {
    t = batchTemplate(n, opts.recordBytes);
    templates.set(n, t);
  }
  return t;
};

const P = opts.partitions;
const nsPerRecord = 1e9 / opts.rate;
const total = Math.floor((opts.durationMs / 1000) * opts.rate);
/** Per partition: the pending run of its records, as the global index of the first and a count. */
const pending = Array.from({ length: P }, () => ({ first: 0, count: 0 }));
const ack = new LatencyHistogram();
const queued = new LatencyHistogram();
const errors: Record<string, number> = {};
let generated = 0;
let acked = 0;
let requests = 0;
let inFlight = 0;
let t0 = 0n;
let measuredFrom = 0n;
let onIdle: (() => void) | undefined;

/** Adds the records due by `now` to their partitions' pending runs. */
function generate(now: bigint): void {
  const due = dueCount(Number(now - t0), nsPerRecord, total);
  if (due <= generated) return;
  for (let p = 0; p < P; p++) {
    const first = generated + ((p - (generated % P) + P) % P);
    if (first >= due) continue;
    const n = Math.floor((due - 1 - first) / P) + 1;
    if (pending[p]!.count === 0) pending[p]!.first = first;
    pending[p]!.count += n;
  }
  generated = due;
}

function dispatch(leader: (typeof leaders)[number]): void {
  for (const conn of leader.conns) {
    if (conn.busy) continue;
    const parts = leader.partitions.filter((p) => pending[p]!.count > 0);
    if (parts.length === 0) return;
    const sentNs = process.hrtime.bigint();
    const wallMs = Date.now();
    const sent: Array<{ n: number; measured: boolean }> = [];
    const partitionData = parts.map((p) => {
      const run = pending[p]!;
      const n = Math.min(run.count, opts.maxBatchRecords);
      const firstDueNs = t0 + BigInt(Math.round(run.first * nsPerRecord));
      const records = stampBatch(template(n), { firstDueNs, spacingNs: P * nsPerRecord, sentNs }, wallMs);
      if (firstDueNs >= measuredFrom) queued.record(Number(sentNs - firstDueNs) / 1000);
      run.first += n * P;
      run.count -= n;
      sent.push({ n, measured: firstDueNs >= measuredFrom });
      return { index: p, records };
    });
    conn.busy = true;
    inFlight++;
    requests++;
    conn.client
      .request(0, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [{ name: opts.topic, partitionData }],
      })
      .then(
        (body) => {
          const us = Number(process.hrtime.bigint() - sentNs) / 1000;
          const r = body as unknown as ProduceResponse;
          r.responses[0]!.partitionResponses.forEach((pr, i) => {
            const { n, measured } = sent[i]!;
            if (pr.errorCode === 0) {
              acked += n;
              if (measured) ack.record(us, n);
            } else errors[pr.errorCode] = (errors[pr.errorCode] ?? 0) + n;
          });
        },
        (e: Error) => {
          for (const s of sent) errors[e.message] = (errors[e.message] ?? 0) + s.n;
        },
      )
      .finally(() => {
        conn.busy = false;
        inFlight--;
        dispatch(leader);
        onIdle?.();
      });
  }
}

async function run(): Promise<void> {
  const end = t0 + BigInt(Math.round(opts.durationMs * 1e6));
  for (;;) {
    const now = process.hrtime.bigint();
    generate(now);
    for (const l of leaders) dispatch(l);
    if (now >= end) break;
    await sleep(1);
  }
  const backlogAtEnd = pending.reduce((s, r) => s + r.count, 0);
  // Send the rest and wait for every answer.
  while (inFlight > 0 || pending.some((r) => r.count > 0)) {
    await new Promise<void>((r) => {
      onIdle = r;
    });
    onIdle = undefined;
    for (const l of leaders) dispatch(l);
  }
  const report: ProducerReport = {
    generated,
    acked,
    errors,
    ack: ack.percentiles(),
    queued: queued.percentiles(),
    requests,
    backlogAtEnd,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  for (const l of leaders) for (const c of l.conns) c.client.close();
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (l) => {
  const m = /^go (\d+)$/.exec(l);
  if (!m) return;
  t0 = BigInt(m[1]!);
  measuredFrom = t0 + BigInt(Math.round(opts.warmupMs * 1e6));
  void (async () => {
    const wait = Number(t0 - process.hrtime.bigint()) / 1e6;
    if (wait > 0) await sleep(wait);
    await run();
  })();
});
lines.on("close", () => process.exit(0));
process.stdout.write("ready\n");
