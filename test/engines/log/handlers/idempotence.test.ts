import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode as E } from "../../../../engines/log/protocol/error-codes.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { spawnBroker } from "../helpers/broker.ts";
import { createTopicsBody, rawBroker } from "../helpers/raw.ts";
import { defer, tempDir } from "../helpers/tmp.ts";

// biome-ignore lint/suspicious/noExplicitAny: responses are inspected field by field
type Call = (apiKey: number, apiVersion: number, body: Record<string, unknown>) => Promise<any>;

const batch = (producerId: number, producerEpoch: number, baseSequence: number, n: number) =>
  buildBatch(
    Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`s${baseSequence + i}`) })),
    { producerId, producerEpoch, baseSequence },
  );

async function produce(call: Call, records: Buffer) {
  const r = await call(0, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: "idem", partitionData: [{ index: 0, records }] }],
  });
  const p = r.responses[0].partitionResponses[0];
  return { errorCode: p.errorCode as number, baseOffset: p.baseOffset as number };
}

const listEnd = async (call: Call) =>
  (
    await call(2, 3, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: "idem", partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    })
  ).topics[0].partitions[0].offset as number;

test("InitProducerId: a fresh id for every idempotent producer, transactions refused", async (t) => {
  const { call } = await rawBroker(t);
  const a = await call(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
  const b = await call(22, 3, {
    transactionalId: null,
    transactionTimeoutMs: 60000,
    producerId: -1,
    producerEpoch: -1,
  });
  assert.deepEqual([a.errorCode, a.producerEpoch, b.errorCode, b.producerEpoch], [0, 0, 0, 0]);
  assert.notEqual(a.producerId, b.producerId);
  // Presenting an id (v3+) without a transactional id still gets a fresh one, as in Kafka.
  const again = await call(22, 4, {
    transactionalId: null,
    transactionTimeoutMs: 60000,
    producerId: b.producerId,
    producerEpoch: 0,
  });
  assert.ok(again.producerId !== a.producerId && again.producerId !== b.producerId);
  assert.equal(again.producerEpoch, 0);
  const txn = await call(22, 1, { transactionalId: "tx", transactionTimeoutMs: 60000 });
  assert.equal(txn.errorCode, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
});

test("sequences: a retried batch is answered with its original offset, a gap and a fenced epoch are refused", async (t) => {
  const { call } = await rawBroker(t);
  await call(19, 3, createTopicsBody([{ name: "idem" }]));
  const { producerId: pid } = await call(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
  assert.deepEqual(await produce(call, batch(pid, 0, 0, 3)), { errorCode: 0, baseOffset: 0 });
  assert.deepEqual(await produce(call, batch(pid, 0, 3, 2)), { errorCode: 0, baseOffset: 3 });
  // The first batch again (a retry after a lost answer): success, original offset, nothing written.
  assert.deepEqual(await produce(call, batch(pid, 0, 0, 3)), { errorCode: 0, baseOffset: 0 });
  assert.equal(await listEnd(call), 5);
  assert.equal((await produce(call, batch(pid, 0, 9, 1))).errorCode, E.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal((await produce(call, batch(pid + 1000, 0, 4, 1))).errorCode, E.OUT_OF_ORDER_SEQUENCE_NUMBER);
  // A new epoch starts over at 0; the old epoch is fenced.
  assert.deepEqual(await produce(call, batch(pid, 1, 0, 1)), { errorCode: 0, baseOffset: 5 });
  assert.equal((await produce(call, batch(pid, 0, 5, 1))).errorCode, E.INVALID_PRODUCER_EPOCH);
  // Batches without a producer id are never checked.
  assert.equal((await produce(call, batch(-1, -1, -1, 1))).errorCode, 0);
  assert.equal((await produce(call, batch(-1, -1, -1, 1))).errorCode, 0);
  assert.equal(await listEnd(call), 8);
});

test("producer state survives a graceful restart (snapshot) and kill -9 (rebuilt from the log)", async (t) => {
  const dir = tempDir(t);
  const session = async (broker: { port: number }) => {
    const c = await RawClient.connect(broker.port);
    defer(t, () => c.close());
    return ((k: number, v: number, b: Record<string, unknown>) => c.request(k, v, b)) as Call;
  };
  let broker = await spawnBroker(t, dir);
  let call = await session(broker);
  await call(19, 3, createTopicsBody([{ name: "idem" }]));
  const { producerId: pid } = await call(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
  for (let s = 0; s < 12; s += 2) await produce(call, batch(pid, 0, s, 2));

  await broker.stop("SIGTERM");
  broker = await spawnBroker(t, dir);
  call = await session(broker);
  assert.deepEqual(await produce(call, batch(pid, 0, 10, 2)), { errorCode: 0, baseOffset: 10 }, "duplicate");
  assert.equal((await produce(call, batch(pid, 0, 13, 1))).errorCode, E.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.deepEqual(await produce(call, batch(pid, 0, 12, 3)), { errorCode: 0, baseOffset: 12 });

  await broker.stop("SIGKILL");
  broker = await spawnBroker(t, dir);
  call = await session(broker);
  assert.deepEqual(await produce(call, batch(pid, 0, 12, 3)), { errorCode: 0, baseOffset: 12 }, "duplicate");
  assert.deepEqual(await produce(call, batch(pid, 0, 15, 1)), { errorCode: 0, baseOffset: 15 });
  // Ids are never handed out twice, also after a crash.
  const again = await call(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
  assert.ok(again.producerId > pid, `new id ${again.producerId} after ${pid}`);
  assert.equal(await listEnd(call), 16);
});
