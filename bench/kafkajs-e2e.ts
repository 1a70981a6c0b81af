/**
 * kafkajs end to end, open loop: a kafkajs producer sends acks=all records stamped with their
 * intended send time, at `rate`, round robin over the partitions; a kafkajs consumer in its own
 * process (log-latency-consumer.ts) reports p50/p99 from that time to its read. Shared by the
 * cluster bench's case (c) and the offset-commits bench.
 */

import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";
import { spawnChild } from "./children.ts";
import { dueCount } from "./log-e2e/schedule.ts";

const latencyConsumer = fileURLToPath(new URL("./log-latency-consumer.ts", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface KafkajsEndToEnd {
  ports: number[];
  topic: string;
  /** The consumer's group id. */
  group: string;
  clientId: string;
  rate: number;
  /** How long the producer sends. */
  sendMs: number;
  partitions: number;
  recordBytes: number;
  /** How the consumer commits: after every batch, waiting (kafkajs's autoCommit), or every 5 s. */
  commit: "each-batch" | "interval";
}

export async function kafkajsEndToEnd(o: KafkajsEndToEnd): Promise<{ p50: number; p99: number; n: number }> {
  const child = spawnChild(
    process.execPath,
    ["--import", "tsx", latencyConsumer, String(o.ports[0]), o.topic, o.group, o.commit],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  try {
    const lines = createInterface({ input: child.stdout! });
    const nextLine = () => new Promise<string>((res) => lines.once("line", res));
    if ((await nextLine()) !== "ready") throw new Error("latency consumer did not start");
    const kafka = new Kafka({
      clientId: o.clientId,
      brokers: o.ports.map((p) => `127.0.0.1:${p}`),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const origin = performance.timeOrigin;
    const start = performance.now();
    let sent = 0;
    const inflight = new Set<Promise<unknown>>();
    while (performance.now() - start < o.sendMs) {
      const due = dueCount((performance.now() - start) * 1e6, 1e9 / o.rate, Number.POSITIVE_INFINITY) - sent;
      if (due > 0) {
        const messages = Array.from({ length: due }, (_, i) => {
          const v = Buffer.alloc(o.recordBytes);
          v.writeDoubleBE(origin + start + ((sent + i) / o.rate) * 1000, 0);
          return { value: v, partition: (sent + i) % o.partitions };
        });
        sent += due;
        const p = producer.send({ topic: o.topic, acks: -1, messages });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      await sleep(5);
    }
    await Promise.all(inflight);
    await sleep(1500);
    await producer.disconnect();
    child.stdin!.write("report\n");
    const report = JSON.parse(await nextLine()) as { n: number; p50: number; p99: number };
    if (report.n < sent * 0.99) throw new Error(`latency consumer saw ${report.n} of ${sent} records`);
    return report;
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
