/**
 * Conformance with @platformatic/kafka 1.35.0 (the Node 20 line), which speaks only the flexible
 * versions (compact encodings, tagged fields, request header v2, response header v1), against a
 * real broker process: admin create topics and metadata, produce with acks 0, 1 and all, a group
 * of two consumers committing each message, a rebalance when one leaves, committed offsets read
 * back through OffsetFetch v8.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Admin,
  Consumer,
  type Message,
  type MessagesStream,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from "@platformatic/kafka";
import { spawnBroker } from "./helpers/broker.ts";
import { waitFor } from "./helpers/kafka.ts";
import { defer, tempDir } from "./helpers/tmp.ts";

const PARTITIONS = 4;
type Msg = Message<string, string, string, string>;

interface Member {
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
  got: Msg[];
}

async function member(
  t: { after: (fn: () => unknown) => void },
  bootstrap: string,
  name: string,
): Promise<Member> {
  const consumer = new Consumer({
    clientId: name,
    groupId: "pgroup",
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers,
    sessionTimeout: 6000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTime: 200,
  });
  defer(t, () => consumer.close(true));
  const stream = await consumer.consume({
    topics: ["pt"],
    mode: "committed",
    fallbackMode: "earliest",
    autocommit: false,
  });
  const got: Msg[] = [];
  stream.on("data", (m: Msg) => {
    got.push(m);
    void m.commit();
  });
  return { consumer, stream, got };
}

const assigned = (m: Member): number[] =>
  (m.consumer.assignments ?? []).flatMap((a) => (a.topic === "pt" ? a.partitions : [])).sort();

test("@platformatic/kafka: create topics, produce acks 0/1/all, a group of two with commits, one leaves", async (t) => {
  const broker = await spawnBroker(t, tempDir(t), {
    "group.initial.rebalance.delay.ms": "0",
    "group.min.session.timeout.ms": "1000",
  });
  const bootstrap = `127.0.0.1:${broker.port}`;

  const admin = new Admin({ clientId: "padmin", bootstrapBrokers: [bootstrap] });
  defer(t, () => admin.close());
  const created = await admin.createTopics({ topics: ["pt"], partitions: PARTITIONS, replicas: 1 });
  assert.deepEqual(
    created.map((c) => [c.name, c.partitions, c.replicas]),
    [["pt", PARTITIONS, 1]],
  );
  await assert.rejects(
    admin.createTopics({ topics: ["pt"], partitions: 1, replicas: 1 }),
    "the topic exists",
  );
  const md = await admin.metadata({ topics: ["pt"] });
  assert.deepEqual([...md.brokers.values()], [{ host: "127.0.0.1", port: broker.port, rack: null }]);
  assert.equal(md.topics.get("pt")!.partitionsCount, PARTITIONS);

  const producer = new Producer({
    clientId: "pprod",
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
  });
  defer(t, () => producer.close());
  const values: string[] = [];
  const send = async (acks: number, from: number, n: number) => {
    const messages = Array.from({ length: n }, (_, i) => ({
      topic: "pt",
      key: `k${(from + i) % 20}`,
      value: `v${from + i}`,
    }));
    values.push(...messages.map((m) => m.value));
    return producer.send({ messages, acks });
  };
  const a = await member(t, bootstrap, "pa");
  const b = await member(t, bootstrap, "pb");
  await waitFor(
    () =>
      assigned(a).length === 2 &&
      assigned(b).length === 2 &&
      new Set([...assigned(a), ...assigned(b)]).size === 4,
    20_000,
    "a 2+2 split of the partitions",
  );
  // Produced once both members own partitions, so both have work.
  const r = await send(ProduceAcks.ALL, 0, 100);
  assert.ok(r.offsets!.length > 0, "acks=all answers with offsets");
  await send(ProduceAcks.LEADER, 100, 100);
  await send(ProduceAcks.NO_RESPONSE, 200, 50);

  const seen = () => new Set([...a.got, ...b.got].map((m) => m.value));
  await waitFor(() => seen().size === values.length, 20_000, `all ${values.length} values`);
  assert.ok(a.got.length > 0 && b.got.length > 0, "both members consumed");
  // A key always lands on one partition (the client's own murmur2 placement).
  const byKey = new Map<string, Set<number>>();
  for (const m of [...a.got, ...b.got]) byKey.set(m.key, (byKey.get(m.key) ?? new Set()).add(m.partition));
  for (const [k, ps] of byKey) assert.equal(ps.size, 1, `${k} on ${[...ps]}`);

  await b.stream.close();
  await b.consumer.close();
  await waitFor(() => assigned(a).length === PARTITIONS, 20_000, "A owning every partition after B left");
  await send(ProduceAcks.ALL, 250, 60);
  await waitFor(() => seen().size === values.length, 20_000, "the values produced after B left");

  // Committed offsets (OffsetFetch v8) reach each partition's end.
  const ends = new Map<number, bigint>();
  for (const m of [...a.got, ...b.got]) {
    if (m.offset + 1n > (ends.get(m.partition) ?? 0n)) ends.set(m.partition, m.offset + 1n);
  }
  let last = "";
  await waitFor(
    async () => {
      const c = await a.consumer.listCommittedOffsets({
        topics: [{ topic: "pt", partitions: [0, 1, 2, 3] }],
      });
      last = `${c.get("pt")} vs ${[0, 1, 2, 3].map((p) => ends.get(p))}`;
      return [0, 1, 2, 3].every((p) => c.get("pt")![p] === (ends.get(p) ?? -1n));
    },
    10_000,
    "committed offsets at each partition's end",
  ).catch((e: Error) => {
    throw new Error(`${e.message}: committed ${last}`);
  });
});
