/**
 * The consuming side of the latency benchmark, in its own process so producer and consumer do
 * not share one event loop. argv: port topic groupId. Prints "ready" once it has joined and its
 * fetches are positioned; on a line "report" on stdin it prints
 * `{"n":N,"p50":ms,"p99":ms,"max":ms}` (latency = receive time − the record's intended send time,
 * read as a float64 ms-since-epoch from the first 8 bytes of the value) and exits.
 */
import { createInterface } from "node:readline";
import { Kafka, logLevel } from "kafkajs";

const [port, topic, groupId] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: "bench-lat",
  brokers: [`127.0.0.1:${port}`],
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId: groupId!, maxWaitTimeInMs: 500 });
const latencies: number[] = [];
const origin = performance.timeOrigin;
consumer.on(consumer.events.GROUP_JOIN, () => setTimeout(() => process.stdout.write("ready\n"), 300));
await consumer.connect();
await consumer.subscribe({ topic: topic!, fromBeginning: false });
await consumer.run({
  eachBatchAutoResolve: true,
  eachBatch: async ({ batch }) => {
    const now = origin + performance.now();
    for (const m of batch.messages) latencies.push(now - m.value!.readDoubleBE(0));
  },
});
createInterface({ input: process.stdin }).on("line", async (l) => {
  if (l !== "report") return;
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  process.stdout.write(`${JSON.stringify({ n: latencies.length, p50: q(0.5), p99: q(0.99), max: q(1) })}\n`);
  process.exit(0);
});
