/**
 * Idempotent producers from all three clients against one broker process: kafkajs
 * (`idempotent: true`, InitProducerId v1), librdkafka through python3-confluent-kafka
 * (`enable.idempotence=true`, which librdkafka enables only when InitProducerId v0 is advertised)
 * and @platformatic/kafka (`idempotent: true`, InitProducerId v4). Each producer's records arrive
 * once, in order, and each client was given its own producer id (the batches carry it).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Producer as PltProducer, stringSerializers } from "@platformatic/kafka";
import { parseBatches } from "../../../engines/log/records/batch-builder.ts";
import { Off, readInt64 } from "../../../engines/log/records/record-batch.ts";
import { RawClient } from "../../../engines/log/tools/raw-client.ts";
import { spawnBroker } from "./helpers/broker.ts";
import { kafkaFor } from "./helpers/kafka.ts";
import { confluent, confluentPythonOrSkip } from "./helpers/librdkafka.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

const N = 200;

test("kafkajs, librdkafka and @platformatic/kafka produce idempotently", async (t) => {
  const broker = await spawnBroker(t, tempDir(t));
  const bootstrap = `127.0.0.1:${broker.port}`;
  const kafka = kafkaFor(broker.port, "idem");
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "g", numPartitions: 1 }] });
  await admin.disconnect();

  // kafkajs: one send per 20 records, so several sequenced batches.
  const kp = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await kp.connect();
  defer(t, () => kp.disconnect());
  for (let i = 0; i < N; i += 20) {
    await kp.send({
      topic: "g",
      acks: -1,
      messages: Array.from({ length: 20 }, (_, j) => ({ value: `kjs${i + j}` })),
    });
  }

  const pp = new PltProducer({
    clientId: "idem-plt",
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    idempotent: true,
  });
  defer(t, () => pp.close());
  for (let i = 0; i < N; i += 20) {
    await pp.send({
      messages: Array.from({ length: 20 }, (_, j) => ({ topic: "g", partition: 0, value: `plt${i + j}` })),
    });
  }

  const py = confluentPythonOrSkip(t);
  if (py) {
    const [r] = await confluent(py, ["produce", bootstrap, "g", "rdk", String(N), "--idempotent"]);
    assert.deepEqual(r!.failed, []);
  }

  // Read the partition back: values once each, and the producer ids stamped in the batches.
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
        topic: "g",
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
  const records = f.responses[0]!.partitions[0]!.records;
  const values = parseBatches(records).map((r) => r.value!.toString());
  const prefixes = py ? ["kjs", "plt", "rdk"] : ["kjs", "plt"];
  for (const prefix of prefixes) {
    assert.deepEqual(
      values.filter((v) => v.startsWith(prefix)),
      Array.from({ length: N }, (_, i) => `${prefix}${i}`),
      `${prefix}: every record once, in order`,
    );
  }
  const pids = new Set<number>();
  for (let pos = 0; pos < records.length; pos += 12 + records.readInt32BE(pos + Off.batchLength)) {
    pids.add(readInt64(records, pos + Off.producerId));
  }
  assert.ok(!pids.has(-1), "every batch carries a producer id");
  assert.equal(pids.size, prefixes.length, "one producer id per client");
});
