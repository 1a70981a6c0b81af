/**
 * The consuming side of the kafkajs latency benchmark, in its own process so producer and consumer
 * do not share one event loop. argv: port topic groupId [commit]. Prints "ready" once it has joined
 * and its fetches are positioned; on a line "report" on stdin it prints
 * `{"n":N,"p50":ms,"p99":ms,"max":ms}` (latency = receive time − the record's intended send time,
 * read as a float64 ms-since-epoch from the first 8 bytes of the value) and exits.
 *
 * `commit`: "interval" (default) commits the consumed offsets every 5 s in the background, as the
 * Java consumer's auto.commit.interval.ms does; "each-batch" is kafkajs's own autoCommit, which
 * commits after every batch and waits for the answer before it handles the next batch (its
 * autoCommitInterval does not change that: runner.js calls commitOffsets, not
 * commitOffsetsIfNecessary, after each batch). With 6 partitions that is six OffsetCommit round
 * trips (here each one an acks=all append on __consumer_offsets) per fetch round, which adds their
 * sum to the end-to-end latency whatever the rate: the figure is then the client's commit pattern's.
 */
import { createInterface } from "node:readline";
import { Kafka, logLevel } from "kafkajs";

const [port, topic, groupId, commitMode = "interval"] = process.argv.slice(2);
if (commitMode !== "interval" && commitMode !== "each-batch") {
  process.stderr.write(`commit mode must be interval or each-batch, not ${commitMode}\n`);
  process.exit(2);
}
const kafka = new Kafka({
  clientId: "bench-lat",
  brokers: [`127.0.0.1:${port}`],
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId: groupId!, maxWaitTimeInMs: 500 });
const latencies: number[] = [];
const origin = performance.timeOrigin;
/** Next offset to commit per partition (interval mode). */
const consumed = new Map<number, string>();
consumer.on(consumer.events.GROUP_JOIN, () => setTimeout(() => process.stdout.write("ready\n"), 300));
await consumer.connect();
await consumer.subscribe({ topic: topic!, fromBeginning: false });
await consumer.run({
  autoCommit: commitMode === "each-batch",
  eachBatchAutoResolve: true,
  eachBatch: async ({ batch }) => {
    const now = origin + performance.now();
    for (const m of batch.messages) latencies.push(now - m.value!.readDoubleBE(0));
    const last = batch.messages.at(-1);
    if (last) consumed.set(batch.partition, (BigInt(last.offset) + 1n).toString());
  },
});
const committer =
  commitMode === "interval"
    ? setInterval(() => {
        const offsets = [...consumed].map(([partition, offset]) => ({ topic: topic!, partition, offset }));
        if (offsets.length > 0) consumer.commitOffsets(offsets).catch(() => {});
      }, 5000)
    : undefined;
createInterface({ input: process.stdin }).on("line", async (l) => {
  if (l !== "report") return;
  clearInterval(committer);
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  process.stdout.write(`${JSON.stringify({ n: latencies.length, p50: q(0.5), p99: q(0.99), max: q(1) })}\n`);
  process.exit(0);
});
