/**
 * The consuming side of the raw end-to-end benchmark, a child process of its own. One connection
 * per leader broker long-polls Fetch v11 (a consumer: replica id −1, so it reads below the high
 * watermark only) for that leader's partitions, from offset 0 of a fresh topic, one request at a
 * time, and records every record's latency when the answer arrives: now − the record's due time
 * (the headline), and now − its batch's send time (the path through the brokers alone). Both
 * from the stamps in the batches (stamp.ts), into HDR histograms at microsecond resolution.
 *
 * argv[2]: JSON {topic, leaders: [{port, partitions}], maxWaitMs}. Prints "ready" once connected,
 * then fetches. Stdin lines: "window <lo ns> <hi ns>" counts only records due in [lo, hi) and the
 * records received in that span of time; "report <n>" waits until n records in all were received
 * (or 10 s passed), prints one JSON line (ConsumerReport) and exits. Exits when stdin closes.
 */

import { createInterface } from "node:readline";
import type { FetchResponse } from "../../engines/log/protocol/apis/fetch.ts";
import { RawClient } from "../../engines/log/tools/raw-client.ts";
import { LatencyHistogram } from "../../harness/metrics/histogram.ts";
import type { Percentiles } from "../../harness/results/types.ts";
import { dueRange, readStampedBatches } from "./stamp.ts";

export interface ConsumerOptions {
  topic: string;
  leaders: Array<{ port: number; partitions: number[] }>;
  maxWaitMs: number;
}

export interface ConsumerReport {
  /** Due → received, records due in the window. */
  e2e: Percentiles;
  /** Batch sent → received, records due in the window. */
  fromSend: Percentiles;
  /** Records received in all. */
  received: number;
  /** Records received while the window lasted (whenever they were due). */
  receivedDuringWindow: number;
  fetches: number;
  errors: Record<string, number>;
}

const opts = JSON.parse(process.argv[2] ?? "{}") as ConsumerOptions;
const e2e = new LatencyHistogram();
const fromSend = new LatencyHistogram();
const errors: Record<string, number> = {};
let lo = -1n;
let hi = -1n;
let received = 0;
let receivedDuringWindow = 0;
let fetches = 0;
let stopped = false;
let onReceived: (() => void) | undefined;

function take(records: Buffer, fromOffset: number): number {
  const now = process.hrtime.bigint();
  const inWindow = now >= lo && now < hi;
  let next = fromOffset;
  for (const b of readStampedBatches(records, fromOffset)) {
    received += b.count;
    if (inWindow) receivedDuringWindow += b.count;
    next = b.nextOffset;
    if (lo < 0n) continue;
    const [from, to] = dueRange(b, lo, hi);
    if (to <= from) continue;
    const sinceFirstDue = Number(now - b.firstDueNs);
    for (let i = from; i < to; i++) e2e.record((sinceFirstDue - i * b.spacingNs) / 1000);
    fromSend.record(Number(now - b.sentNs) / 1000, to - from);
  }
  return next;
}

async function fetchLoop(client: RawClient, partitions: number[]): Promise<void> {
  const offsets = new Map(partitions.map((p) => [p, 0]));
  while (!stopped) {
    const body = {
      replicaId: -1,
      maxWaitMs: opts.maxWaitMs,
      minBytes: 1,
      maxBytes: 64 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: opts.topic,
          partitions: partitions.map((p) => ({
            partition: p,
            currentLeaderEpoch: -1,
            fetchOffset: offsets.get(p)!,
            logStartOffset: -1,
            partitionMaxBytes: 8 << 20,
          })),
        },
      ],
      forgottenTopicsData: [],
      rackId: "",
    };
    let res: FetchResponse;
    try {
      res = (await client.request(1, 11, body)) as unknown as FetchResponse;
    } catch (e) {
      if (stopped) return;
      throw e;
    }
    fetches++;
    for (const t of res.responses) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) {
          errors[p.errorCode] = (errors[p.errorCode] ?? 0) + 1;
          continue;
        }
        if (p.records && p.records.length > 0)
          offsets.set(p.partitionIndex, take(p.records, offsets.get(p.partitionIndex)!));
      }
    }
    onReceived?.();
  }
}

const clients = await Promise.all(opts.leaders.map((l) => RawClient.connect(l.port)));
const loops = opts.leaders.map((l, i) => fetchLoop(clients[i]!, l.partitions));
for (const l of loops) {
  l.catch((e: Error) => {
    process.stderr.write(`raw e2e consumer: ${e.message}\n`);
    process.exit(1);
  });
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (l) => {
  const w = /^window (\d+) (\d+)$/.exec(l);
  if (w) {
    lo = BigInt(w[1]!);
    hi = BigInt(w[2]!);
    return;
  }
  const r = /^report (\d+)$/.exec(l);
  if (!r) return;
  const want = Number(r[1]);
  void (async () => {
    const deadline = Date.now() + 10_000;
    while (received < want && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        onReceived = resolve;
        setTimeout(resolve, 100);
      });
    }
    stopped = true;
    const report: ConsumerReport = {
      e2e: e2e.percentiles(),
      fromSend: fromSend.percentiles(),
      received,
      receivedDuringWindow,
      fetches,
      errors,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    for (const c of clients) c.close();
    process.exit(0);
  })();
});
lines.on("close", () => process.exit(0));
process.stdout.write("ready\n");
