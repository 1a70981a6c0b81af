import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { ErrorCode } from "../../../engines/log/protocol/error-codes.ts";
import { encodeRequest } from "../../../engines/log/protocol/header.ts";
import { advertisedVersions } from "../../../engines/log/protocol/registry.ts";
import { buildBatch } from "../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../engines/log/tools/raw-client.ts";
import { inProcessBroker } from "./helpers/broker.ts";
import { hex } from "./helpers/bytes.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

const produceBody = (topic: string, acks: number, values: string[]) => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topicData: [
    {
      name: topic,
      partitionData: [{ index: 0, records: buildBatch(values.map((v) => ({ value: Buffer.from(v) }))) }],
    },
  ],
});

/** Resolves when the socket is closed by the peer, or with "open" after `ms`. */
const closedWithin = (c: RawClient, ms: number) =>
  new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve("open"), ms);
    c.socket.once("close", () => {
      clearTimeout(timer);
      resolve("closed");
    });
  });

test("ApiVersions v2 lists the table; an unknown ApiVersions version gets a v0 UNSUPPORTED_VERSION", async (t) => {
  const b = await inProcessBroker(t, tempDir(t));
  const c = await RawClient.connect(b.port);
  defer(t, () => c.close());
  const v2 = (await c.request(18, 2, {})) as { errorCode: number; apiKeys: Array<{ apiKey: number }> };
  assert.equal(v2.errorCode, 0);
  assert.ok(v2.apiKeys.some((k) => k.apiKey === 0));
  // ApiVersions v9 does not exist here: the answer is v0-shaped with error 35 and the list.
  const frame = Buffer.from(
    encodeRequest(
      { apiKey: 18, apiVersion: 3, correlationId: 99, clientId: null },
      {
        clientSoftwareName: "x",
        clientSoftwareVersion: "y",
      },
    ),
  );
  frame.writeInt16BE(9, 6);
  const r = (await c.requestFrame(frame, 18, 0, 99)) as { errorCode: number; apiKeys: unknown[] };
  assert.equal(r.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  assert.equal(r.apiKeys.length, advertisedVersions().length);
  assert.equal(c.closed, false);
});

test("unknown API keys, unsupported versions, garbage bodies and oversized frames close only that connection", async (t) => {
  const b = await inProcessBroker(t, tempDir(t), { "socket.request.max.bytes": "1000" });
  const healthy = await RawClient.connect(b.port);
  defer(t, () => healthy.close());
  const bad = [
    hex("0000000a 7fff0000 00000001 ffff"), // unknown api key
    hex("0000000a 00000002 00000001 ffff"), // Produce v2 (not implemented)
    hex("0000000c 000c0003 00000001 ffff 0001"), // Heartbeat v3 with a truncated body
    hex("00100000"), // frame larger than socket.request.max.bytes
    hex("ffffffff"), // negative size
  ];
  for (const bytes of bad) {
    const c = await RawClient.connect(b.port);
    const closed = closedWithin(c, 2000);
    c.writeRaw(bytes);
    assert.equal(await closed, "closed", bytes.toString("hex"));
  }
  const r = (await healthy.request(3, 6, { topics: [], allowAutoTopicCreation: false })) as {
    brokers: unknown[];
  };
  assert.equal(r.brokers.length, 1);
});

test("pipelined requests are answered in order; acks=0 produce sends nothing back", async (t) => {
  const b = await inProcessBroker(t, tempDir(t));
  const c = await RawClient.connect(b.port);
  defer(t, () => c.close());
  await c.request(19, 3, {
    topics: [{ name: "p", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  const order: number[] = [];
  const seen: Buffer[] = [];
  c.socket.on("data", (d) => seen.push(d));
  c.send(0, 7, produceBody("p", 0, ["zero"]));
  const replies = [1, 2, 3].map((i) =>
    c.request(0, 7, produceBody("p", 1, [`v${i}`])).then((r) => {
      order.push(i);
      return r;
    }),
  );
  const results = (await Promise.all(replies)) as Array<{
    responses: Array<{ partitionResponses: Array<{ baseOffset: number }> }>;
  }>;
  assert.deepEqual(order, [1, 2, 3]);
  // The acks=0 batch took offset 0, and no response frame was sent for it.
  assert.deepEqual(
    results.map((r) => r.responses[0]!.partitionResponses[0]!.baseOffset),
    [1, 2, 3],
  );
  const frames = Buffer.concat(seen);
  let n = 0;
  for (let p = 0; p < frames.length; p += 4 + frames.readInt32BE(p)) n++;
  assert.equal(n, 3);
});

test("a request pipelined before a bad frame is still answered before the connection closes", async (t) => {
  const b = await inProcessBroker(t, tempDir(t));
  const c = await RawClient.connect(b.port);
  defer(t, () => c.close());
  // One write: ApiVersions v2, then a frame with an API key the broker does not know. Both are
  // handled in one turn; the answer to the first is written before the second closes the socket.
  const id = c.takeCorrelationId();
  const good = encodeRequest({ apiKey: 18, apiVersion: 2, correlationId: id, clientId: "t" }, {});
  const bad = Buffer.from(good);
  bad.writeInt16BE(9999, 4);
  const answered = c.requestFrame(Buffer.concat([good, bad]), 18, 2, id);
  const closed = closedWithin(c, 5000);
  const r = (await answered) as { errorCode: number };
  assert.equal(r.errorCode, 0);
  assert.equal(await closed, "closed");
});

test("acks=-1 with min.insync.replicas above the ISR is refused and nothing is appended", async (t) => {
  const b = await inProcessBroker(t, tempDir(t), { "min.insync.replicas": "2" });
  const c = await RawClient.connect(b.port);
  defer(t, () => c.close());
  await c.request(3, 6, { topics: [{ name: "m" }], allowAutoTopicCreation: true });
  const r = (await c.request(0, 7, produceBody("m", -1, ["x"]))) as {
    responses: Array<{ partitionResponses: Array<{ errorCode: number }> }>;
  };
  assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
  const ok = (await c.request(0, 7, produceBody("m", 1, ["y"]))) as {
    responses: Array<{ partitionResponses: Array<{ errorCode: number; baseOffset: number }> }>;
  };
  assert.deepEqual(
    [ok.responses[0]!.partitionResponses[0]!.errorCode, ok.responses[0]!.partitionResponses[0]!.baseOffset],
    [0, 0],
  );
  const bad = (await c.request(0, 7, produceBody("m", 2, ["z"]))) as {
    responses: Array<{ partitionResponses: Array<{ errorCode: number }> }>;
  };
  assert.equal(bad.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
});

const fetchBody = (topic: string, offset: number, maxWaitMs: number, minBytes = 1) => ({
  replicaId: -1,
  maxWaitMs,
  minBytes,
  maxBytes: 1 << 20,
  isolationLevel: 1,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic,
      partitions: [
        {
          partition: 0,
          currentLeaderEpoch: -1,
          fetchOffset: offset,
          logStartOffset: -1,
          partitionMaxBytes: 1 << 20,
        },
      ],
    },
  ],
  forgottenTopicsData: [],
  rackId: "",
});

type FetchReply = {
  responses: Array<{
    partitions: Array<{ errorCode: number; highWatermark: number; records: Buffer | null }>;
  }>;
};

test("fetch long-polls: parks until data arrives, or returns empty at max_wait", async (t) => {
  const b = await inProcessBroker(t, tempDir(t));
  const consumer = await RawClient.connect(b.port);
  const producer = await RawClient.connect(b.port);
  defer(t, () => {
    consumer.close();
    producer.close();
  });
  await producer.request(3, 6, { topics: [{ name: "lp" }], allowAutoTopicCreation: true });
  let t0 = Date.now();
  const empty = (await consumer.request(1, 11, fetchBody("lp", 0, 300))) as FetchReply;
  assert.ok(Date.now() - t0 >= 280, "waited max_wait_ms");
  assert.equal(empty.responses[0]!.partitions[0]!.records!.length, 0, "an empty record set, not null");
  t0 = Date.now();
  const parked = consumer.request(1, 11, fetchBody("lp", 0, 10_000)) as Promise<FetchReply>;
  setTimeout(() => void producer.request(0, 7, produceBody("lp", 1, ["hello"])), 200);
  const got = await parked;
  const waited = Date.now() - t0;
  assert.ok(waited >= 150 && waited < 5000, `woke on produce after ${waited} ms`);
  assert.ok(got.responses[0]!.partitions[0]!.records!.includes(Buffer.from("hello")));
  assert.equal(got.responses[0]!.partitions[0]!.highWatermark, 1);
  // Unknown partitions answer at once with an error instead of waiting.
  const unknown = (await consumer.request(1, 11, fetchBody("nope", 0, 10_000))) as FetchReply;
  assert.equal(unknown.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test("a raw socket that sends half a frame and stalls does not block others", async (t) => {
  const b = await inProcessBroker(t, tempDir(t));
  const s = connect(b.port, "127.0.0.1");
  defer(t, () => s.destroy());
  s.write(hex("00000100 0012"));
  const c = await RawClient.connect(b.port);
  defer(t, () => c.close());
  const r = (await c.request(18, 2, {})) as { errorCode: number };
  assert.equal(r.errorCode, 0);
});
