// A keyed batch that spans partitions, against a real log broker where one partition's append is
// refused (its share of the batch is over the broker's message.max.bytes): the other partitions'
// messages are recorded ok, only the refused partition's are failed, and nothing that was
// delivered is counted failedButDelivered. With one send per batch, kafkajs failed the whole batch
// while the other partitions had appended theirs. Both producer libraries are checked.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { deliveryAccounting } from "../../../../harness/checkers/delivery.ts";
import { buildMessageTable } from "../../../../harness/checkers/message-table.ts";
import { decodePayload } from "../../../../harness/generator/payload.ts";
import type { DeliverOp, Op, SendOp } from "../../../../harness/history/op.ts";
import { pairSends, sendCount, sendSeq } from "../../../../harness/history/sends.ts";
import { LoadLoop } from "../../../../harness/run/load-loop.ts";
import { scenarioFromObject } from "../../../../harness/scenario/load.ts";
import { createTopic, KafkaClient, kafkaHandle } from "../../../../harness/targets/kafka/kafka-client.ts";
import { inProcessBroker } from "../../../engines/log/helpers/broker.ts";
import { kafkaFor, testConsumer, waitFor } from "../../../engines/log/helpers/kafka.ts";
import { defer, tempDir } from "../../../engines/log/helpers/tmp.ts";

const PARTITIONS = 4;
const BIG = 6; // the id of the one oversized message

for (const clientLib of ["kafkajs", "platformatic"] as const)
  test(`${clientLib}: a keyed batch across partitions records each partition's outcome`, {
    timeout: 60_000,
  }, async (t) => {
    const dir = tempDir(t);
    // 12 keyed messages at once (one batch); message 6 alone is bigger than the broker accepts.
    const rows = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ t: 0, key: `k${i % 6}`, size: i === BIG ? 4000 : 0 }),
    );
    writeFileSync(join(dir, "trace.ndjson"), `${rows.join("\n")}\n`);
    const scenario = scenarioFromObject(
      {
        name: "keyed-split",
        engine: "log",
        topology: { partitions: PARTITIONS },
        workload: {
          trace: "trace.ndjson",
          producers: 1,
          keys: 6,
          messageSize: 100,
          batchSize: 100,
          linger: "1ms",
          warmup: "0ms",
          duration: "1s",
          acks: 1,
          timeout: "3s",
          client: clientLib,
        },
      },
      join(dir, "keyed-split.yaml"),
    );
    const broker = await inProcessBroker(t, join(dir, "data"), { "message.max.bytes": "2000" });
    const bootstrap = [`127.0.0.1:${broker.port}`];
    await createTopic(kafkaHandle(bootstrap, scenario.workload), {
      name: "events",
      partitions: PARTITIONS,
      replication: 1,
    });

    const client = new KafkaClient(() => bootstrap, {
      topic: "events",
      partitions: PARTITIONS,
      workload: scenario.workload,
    });
    await client.start();
    defer(t, () => client.close());
    const ops: Op[] = [];
    const t0 = performance.now();
    const loop = new LoadLoop(scenario, {
      client,
      now: () => Math.round((performance.now() - t0) * 1000),
      record: (op) => ops.push(op),
    });
    await loop.run();
    await loop.settled();

    const sends = pairSends(ops);
    assert.equal(loop.counters.sent, 12);
    assert.ok(sends.length > 1, `one batch became one request per partition (got ${sends.length})`);
    const seqsOf = (s: SendOp) => Array.from({ length: sendCount(s) }, (_, i) => sendSeq(s, i));
    const big = sends.find((p) => seqsOf(p.invoke).includes(BIG));
    assert.ok(big?.completion, "the oversized message's partition answered");
    assert.equal(big.completion.type, "fail", `refused by its partition: ${big.completion.error}`);
    const others = sends.filter((p) => p !== big);
    assert.ok(others.length > 0);
    for (const p of others)
      assert.equal(p.completion?.type, "ok", `${seqsOf(p.invoke)}: ${p.completion?.error}`);
    // Every message is in exactly one request, and a partition's share is listed when not contiguous.
    assert.deepEqual(
      sends.flatMap((p) => seqsOf(p.invoke)).sort((a, b) => a - b),
      [...Array(12).keys()],
    );
    const failedIds = seqsOf(big.invoke);

    // Read back what the broker appended, as the run's consumers would report it.
    const kafka = kafkaFor(broker.port);
    const consumer = testConsumer(kafka, "keyed-split-check");
    defer(t, () => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic: "events", fromBeginning: true });
    const got: DeliverOp[] = [];
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const id = decodePayload(message.value?.toString() ?? "");
        if (!id) return;
        got.push({
          t: 0,
          process: "consumer-1",
          type: "ok",
          f: "deliver",
          producer: id.producer,
          from: id.seq,
          to: id.seq,
          partition,
        });
      },
    });
    await waitFor(() => got.length >= 12 - failedIds.length, 30_000, "the appended messages to be consumed");

    const d = deliveryAccounting(buildMessageTable([...ops, ...got]));
    assert.equal(d.failedButDelivered, 0);
    assert.equal(d.failed, failedIds.length);
    assert.equal(d.acked, 12 - failedIds.length);
    assert.equal(d.lost, 0);
    assert.equal(d.delivered, 12 - failedIds.length);
  });
