/**
 * kill -9 of a broker process while its log cleaner is rewriting segments: the restart finds the
 * cleaning's file (uncommitted: removed; committed: installed) and serves every key's last value.
 * The data is written in this process through the log manager (fast), then served by a broker
 * process whose cleaner starts at once; the test watches the partition directory and kills the
 * broker the moment a cleaning file appears.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { defaultLogConfig } from "../../../../engines/log/storage/log-config.ts";
import { LogManager } from "../../../../engines/log/storage/log-manager.ts";
import { spawnBroker } from "../helpers/broker.ts";
import { kafkaFor, testConsumer, waitFor } from "../helpers/kafka.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

const KEYS = 200;
const ROUNDS = 400;

test("kill -9 mid-clean: the restarted broker recovers the cleaning and serves each key's last value", async (t) => {
  const dir = tempDir(t);
  const logs = new LogManager(dir, defaultLogConfig);
  const topic = logs.createTopic("t", 1, { "cleanup.policy": "compact", "segment.bytes": "262144" });
  const log = topic.partitions[0]!;
  for (let round = 0; round < ROUNDS; round++) {
    const records = Array.from({ length: KEYS }, (_, k) => ({
      key: Buffer.from(`k${k}`),
      value: Buffer.from(`k${k}=${round}`.padEnd(40, ".")),
    }));
    // Ten records per batch, so a cleaning both drops and filters batches.
    for (let i = 0; i < KEYS; i += 10)
      assert.equal(log.append(buildBatch(records.slice(i, i + 10))).errorCode, 0);
  }
  const leo = log.logEndOffset;
  logs.close();
  const part = join(dir, "t-0");
  const broker = await spawnBroker(t, dir, { "log.cleaner.backoff.ms": "20" });
  let seen = "";
  await waitFor(
    () => {
      seen = readdirSync(part).find((f) => /\.(cleaned|swap)$/.test(f)) ?? "";
      return seen !== "";
    },
    20_000,
    "a cleaning file to appear",
  );
  await broker.stop("SIGKILL");
  const leftover = readdirSync(part).filter((f) => /\.(cleaned|swap)$/.test(f));
  const restarted = await spawnBroker(t, dir, { "log.cleaner.backoff.ms": "600000" });
  if (leftover.length > 0) {
    assert.match(
      restarted.stderr(),
      /recovered t-0: (removed the unfinished cleaning|installed the cleaned segment)/,
    );
  }
  assert.deepEqual(
    readdirSync(part).filter((f) => /\.(cleaned|swap)$/.test(f)),
    [],
  );
  const kafka = kafkaFor(restarted.port);
  const consumer = testConsumer(kafka, "after-crash");
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic: "t", fromBeginning: true });
  const last = new Map<string, string>();
  let maxOffset = -1;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        last.set(m.key!.toString(), m.value!.toString().replace(/\.+$/, ""));
        maxOffset = Math.max(maxOffset, Number(m.offset));
      }
    },
  });
  await waitFor(() => maxOffset === leo - 1, 30_000, "the consumer to reach the end of the log");
  assert.equal(last.size, KEYS);
  for (let k = 0; k < KEYS; k++) assert.equal(last.get(`k${k}`), `k${k}=${ROUNDS - 1}`);
  t.diagnostic(`killed with ${seen} present; left behind: ${leftover.join(", ") || "nothing"}`);
});
