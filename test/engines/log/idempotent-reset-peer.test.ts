/**
 * Idempotent producers through a reset-peer fault: a real broker process behind the embedded fault
 * proxy (its advertised listener is the proxy, so every reconnect goes through it), and a
 * `reset_peer` toxic on the downstream (broker→client answers) for a stretch while kafkajs,
 * librdkafka (python3-confluent-kafka) and @platformatic/kafka produce with retries. During the
 * stretch the broker appends what it receives but every answer is discarded and the connection
 * reset, so each client retries batches the broker already has. Idempotent: every record lands
 * exactly once. The control, kafkajs with the same retries and no idempotence, appends the copies.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Producer as PltProducer, stringSerializers } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import { parseBatches } from "../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../engines/log/tools/raw-client.ts";
import { serveProxy } from "../../../harness/proxy/main.ts";
import { pickPorts } from "../../../lib/pick-ports.ts";
import { spawnBroker } from "./helpers/broker.ts";
import { confluentPythonOrSkip, run } from "./helpers/librdkafka.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

type T = { after: (fn: () => unknown) => void };

const N = 200;
const BATCH = 10;
const PACE_MS = 100; // per batch: each client's produce (about 2 s) spans the fault window
const FAULT_AT_MS = 600;
const FAULT_FOR_MS = 800;

async function proxiedBroker(t: T) {
  const [listen] = await pickPorts(1);
  const proxy = await serveProxy({ port: 0 });
  defer(t, () => proxy.close());
  const broker = await spawnBroker(t, tempDir(t), {}, ["--advertised-listener", `127.0.0.1:${listen}`]);
  const api = `http://127.0.0.1:${proxy.port}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${api}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  };
  await call("POST", "/proxies", {
    name: "clients",
    listen: `127.0.0.1:${listen}`,
    upstream: `127.0.0.1:${broker.port}`,
  });
  const bootstrap = `127.0.0.1:${listen}`;
  const kafka = (clientId: string) =>
    new Kafka({
      clientId,
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 100, maxRetryTime: 500, retries: 40 },
    });
  const admin = kafka("admin").admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "r", numPartitions: 1 }] });
  await admin.disconnect();
  return {
    bootstrap,
    kafka,
    /** Resets every answer from FAULT_AT_MS for FAULT_FOR_MS; resolves once the toxic is gone. */
    async resetWindow() {
      await sleep(FAULT_AT_MS);
      await call("POST", "/proxies/clients/toxics", {
        name: "resets",
        type: "reset_peer",
        stream: "downstream",
        attributes: { timeout: 0 },
      });
      await sleep(FAULT_FOR_MS);
      await call("DELETE", "/proxies/clients/toxics/resets");
    },
    /** How many times each value is in the partition, read from the broker directly. */
    async counts(): Promise<Map<string, number>> {
      const raw = await RawClient.connect(broker.port);
      defer(t, () => raw.close());
      const f = (await raw.request(1, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 64 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: "r",
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0,
                logStartOffset: -1,
                partitionMaxBytes: 64 << 20,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: "",
      })) as { responses: Array<{ partitions: Array<{ records: Buffer }> }> };
      const out = new Map<string, number>();
      for (const r of parseBatches(f.responses[0]!.partitions[0]!.records)) {
        const v = r.value!.toString();
        out.set(v, (out.get(v) ?? 0) + 1);
      }
      return out;
    },
  };
}

const batchValues = (prefix: string, i: number) =>
  Array.from({ length: BATCH }, (_, j) => `${prefix}${i + j}`);

/** Sends N records in batches, paced; resolves with the slowest send's duration (ms). */
async function paced(send: (values: string[]) => Promise<unknown>, prefix: string): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < N; i += BATCH) {
    const t0 = performance.now();
    await send(batchValues(prefix, i));
    slowest = Math.max(slowest, performance.now() - t0);
    await sleep(PACE_MS);
  }
  return slowest;
}

async function kafkajsProduce(kafka: Kafka, prefix: string, idempotent: boolean, t: T) {
  const p = kafka.producer({ idempotent, maxInFlightRequests: 1 });
  await p.connect();
  defer(t, () => p.disconnect());
  return paced(
    (values) => p.send({ topic: "r", acks: -1, messages: values.map((value) => ({ value })) }),
    prefix,
  );
}

/** A send held up for half the fault window or more was caught by the resets and retried. */
const caught = (slowestMs: number) => slowestMs >= FAULT_FOR_MS / 2;

/** Per-prefix figures: values missing, and values present more than once. */
function tally(counts: Map<string, number>, prefix: string) {
  let lost = 0;
  let duplicated = 0;
  for (let i = 0; i < N; i++) {
    const c = counts.get(`${prefix}${i}`) ?? 0;
    if (c === 0) lost++;
    if (c > 1) duplicated += c - 1;
  }
  return { lost, duplicated };
}

test("idempotent kafkajs, librdkafka and @platformatic/kafka: no duplicates, nothing lost through reset_peer", async (t) => {
  const b = await proxiedBroker(t);
  const py = confluentPythonOrSkip(t);

  const kjs = kafkajsProduce(b.kafka("idem-kjs"), "kjs", true, t);
  const plt = (async () => {
    const pp = new PltProducer({
      clientId: "idem-plt",
      bootstrapBrokers: [b.bootstrap],
      serializers: stringSerializers,
      idempotent: true,
      retries: 40,
      retryDelay: 100,
    });
    defer(t, () => pp.close());
    return paced(
      (values) => pp.send({ messages: values.map((value) => ({ topic: "r", partition: 0, value })) }),
      "plt",
    );
  })();
  // librdkafka logs the resets as errors on stderr; its delivery reports are what count here.
  const rdk = py
    ? run(
        py,
        [
          new URL("./helpers/confluent_client.py", import.meta.url).pathname,
          ...["produce", b.bootstrap, "r", "rdk", String(N), "--idempotent", "--acks", "all"],
          ...["--pace", String(PACE_MS / 1000 / BATCH)],
        ],
        undefined,
        30_000,
      )
    : null;
  await b.resetWindow();
  const [kjsSlowest, pltSlowest] = await Promise.all([kjs, plt]);
  assert.ok(caught(kjsSlowest), `kafkajs was caught by the resets (slowest send ${kjsSlowest} ms)`);
  assert.ok(
    caught(pltSlowest),
    `@platformatic/kafka was caught by the resets (slowest send ${pltSlowest} ms)`,
  );
  const prefixes = ["kjs", "plt"];
  if (rdk) {
    const r = await rdk;
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("{"))!) as {
      delivered: unknown[];
      failed: string[];
      undelivered: number;
    };
    assert.deepEqual([report.failed, report.undelivered], [[], 0], "librdkafka: every record acked");
    // librdkafka logs each reset connection as a FAIL line: proof the fault reached it.
    assert.match(r.stderr, /\|FAIL\|.*Disconnected/, "librdkafka saw the resets");
    prefixes.push("rdk");
  }
  const counts = await b.counts();
  for (const prefix of prefixes) {
    assert.deepEqual(
      tally(counts, prefix),
      { lost: 0, duplicated: 0 },
      `${prefix}: every record exactly once`,
    );
  }
});

test("control: kafkajs with retries and without idempotence duplicates through the same reset_peer", async (t) => {
  const b = await proxiedBroker(t);
  const kjs = kafkajsProduce(b.kafka("plain-kjs"), "kjs", false, t);
  await b.resetWindow();
  assert.ok(caught(await kjs), "kafkajs was caught by the resets");
  const { lost, duplicated } = tally(await b.counts(), "kjs");
  t.diagnostic(`kafkajs without idempotence: ${duplicated} duplicated, ${lost} lost of ${N}`);
  assert.equal(lost, 0, "retries lose nothing");
  assert.ok(duplicated > 0, "the batch in flight when answers were reset is appended again on retry");
});
