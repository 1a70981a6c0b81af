import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { PlatformaticProducers } from "../../../../harness/targets/kafka/platformatic-producer.ts";
import { inProcessBroker } from "../../../engines/log/helpers/broker.ts";
import { createTopicsBody, rawBroker } from "../../../engines/log/helpers/raw.ts";
import { defer, tempDir } from "../../../engines/log/helpers/tmp.ts";

const options = {
  topic: "pp",
  partitions: 2,
  acks: -1 as const,
  timeoutMs: 2000,
  messageSize: 100,
  retries: 0,
  idempotent: false,
};
const batch = (from: number, n: number, key?: string) =>
  Array.from({ length: n }, (_, i) => ({ index: from + i, producer: 0, seq: from + i, intendedUs: 0, key }));

test("sends are acked by a real broker; an unknown topic fails definitely; a refused connection is fail", async (t) => {
  const { broker, call } = await rawBroker(t);
  await call(19, 3, createTopicsBody([{ name: "pp", numPartitions: 2 }]));
  const p = new PlatformaticProducers([`127.0.0.1:${broker.port}`], 2, options);
  defer(t, () => p.close());
  await p.connect();
  assert.deepEqual(await p.send(0, batch(0, 10)), { type: "ok" });
  assert.deepEqual(await p.send(1, batch(0, 5, "k1")), { type: "ok" });

  const wrong = new PlatformaticProducers([`127.0.0.1:${broker.port}`], 1, { ...options, topic: "nope" });
  defer(t, () => wrong.close());
  const r = await wrong.send(0, batch(0, 1));
  assert.equal(r.type, "fail", JSON.stringify(r));

  // A port nobody listens on (bound, then closed).
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, "127.0.0.1", () => res()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((res) => s.close(() => res()));
  const refused = new PlatformaticProducers([`127.0.0.1:${port}`], 1, options);
  defer(t, () => refused.close());
  const out = await refused.send(0, batch(0, 1));
  assert.equal(out.type, "fail", JSON.stringify(out));
});

test("idempotent sends overlap in the harness but reach the broker one at a time: every record once", async (t) => {
  const b = await inProcessBroker(t, tempDir(t));
  const p = new PlatformaticProducers([`127.0.0.1:${b.port}`], 1, {
    ...options,
    idempotent: true,
    retries: 3,
  });
  defer(t, () => p.close());
  const raw = await RawClient.connect(b.port);
  defer(t, () => raw.close());
  await raw.request(19, 3, createTopicsBody([{ name: "pp", numPartitions: 2 }]));
  await p.connect();
  // 20 overlapping sends of equal size to the same partitions: without the queue they would share
  // sequence numbers and all but the first per partition would be taken for retries.
  const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => p.send(0, batch(i * 5, 5))));
  assert.ok(outcomes.every((o) => o.type === "ok"));
  const ends = (await raw.request(2, 3, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      {
        name: "pp",
        partitions: [
          { partitionIndex: 0, timestamp: -1 },
          { partitionIndex: 1, timestamp: -1 },
        ],
      },
    ],
  })) as { topics: Array<{ partitions: Array<{ offset: number }> }> };
  assert.equal(
    ends.topics[0]!.partitions.reduce((a, x) => a + x.offset, 0),
    100,
    "all 100 records appended",
  );
});
