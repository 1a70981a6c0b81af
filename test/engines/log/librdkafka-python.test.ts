/**
 * Conformance with librdkafka through Debian's python3-confluent-kafka, against a real broker
 * process: AdminClient create_topics and metadata, keyed produce, a consumer group of two members
 * committing manually, a rebalance when one leaves, and a broker restart (kill -9) after which the
 * group resumes exactly from its committed offsets.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnBroker } from "./helpers/broker.ts";
import {
  confluent,
  confluentPythonOrSkip,
  type Event,
  type Member,
  protocolErrors,
  startMember,
} from "./helpers/librdkafka.ts";
import { tempDir } from "./helpers/tmp.ts";

const PARTITIONS = 4;
const brokerConfig = { "group.initial.rebalance.delay.ms": "0", "group.min.session.timeout.ms": "1000" };

type Row = [value: string, partition: number, offset: number];

const consumed = (m: Member): Row[] =>
  m.events.filter((e) => e.event === "messages").flatMap((e) => e.messages as Row[]);

const lastAssignment = (m: Member): number[] | undefined =>
  m.events.filter((e) => e.event === "assigned").at(-1)?.partitions as number[] | undefined;

async function produce(py: string, bootstrap: string, prefix: string, count: number, ...opts: string[]) {
  const [r] = await confluent(py, ["produce", bootstrap, "g", prefix, String(count), "--key", ...opts]);
  assert.deepEqual(r!.failed, [], "delivery failures");
  assert.equal(r!.undelivered, 0);
  return r!.delivered as Row[];
}

test("python3-confluent-kafka: create topics, a group of two with manual commits, rebalance, restart", async (t) => {
  const py = confluentPythonOrSkip(t);
  if (!py) return;
  const dir = tempDir(t);
  let broker = await spawnBroker(t, dir, brokerConfig);
  const port = broker.port;
  const bootstrap = `127.0.0.1:${port}`;

  const created = await confluent(py, ["create-topic", bootstrap, "g", String(PARTITIONS)]);
  assert.deepEqual(created[0], { event: "created", topic: "g" });
  const md = created[1]!;
  assert.deepEqual(md.brokers, [{ id: 1, host: "127.0.0.1", port }]);
  assert.equal(md.controller, 1);
  assert.deepEqual(md.partitions, [0, 1, 2, 3]);
  assert.deepEqual(md.leaders, [1]);
  const again = await confluent(py, ["create-topic", bootstrap, "g", String(PARTITIONS)]);
  assert.equal(again[0]!.event, "create-failed");
  assert.match(String(again[0]!.error), /TOPIC_ALREADY_EXISTS/);

  // Two members share the four partitions.
  const a = startMember(t, py, bootstrap, "grp", "g", "A");
  const b = startMember(t, py, bootstrap, "grp", "g", "B");
  const split = async () => {
    const pa = lastAssignment(a) ?? [];
    const pb = lastAssignment(b) ?? [];
    return pa.length === 2 && pb.length === 2 && new Set([...pa, ...pb]).size === PARTITIONS;
  };
  await a.until((e) => e.event === "assigned", "A's first assignment");
  await b.until((e) => e.event === "assigned" && (e.partitions as number[]).length > 0, "B's assignment");
  await waitUntil(split, "a 2+2 split of the partitions");
  const first = await produce(py, bootstrap, "a", 200, "--acks", "all");
  // One key, one partition (librdkafka's consistent_random placement, whatever the hash).
  const byKey = new Map<string, Set<number>>();
  for (const [v, p] of first) {
    const k = `k${Number(v.slice(1)) % 7}`;
    byKey.set(k, (byKey.get(k) ?? new Set()).add(p));
  }
  for (const [k, ps] of byKey) assert.equal(ps.size, 1, `${k} on partitions ${[...ps]}`);

  await waitUntil(
    async () => new Set([...consumed(a), ...consumed(b)].map((r) => r[0])).size === 200,
    "the first 200 values consumed by the group",
  );
  assert.ok(consumed(a).length > 0 && consumed(b).length > 0, "both members consumed");
  await a.until((e) => e.event === "eof", "end of partition reported to A");

  // B leaves: A is given every partition and consumes what B would have.
  await b.stop();
  assert.ok(b.events.some((e) => e.event === "closed"));
  await a.until(
    (e) => e.event === "assigned" && (e.partitions as number[]).length === PARTITIONS,
    "A owning all partitions after B left",
  );
  const second = await produce(py, bootstrap, "b", 100, "--acks", "1");
  await waitUntil(
    async () => consumed(a).filter((r) => r[0].startsWith("b")).length >= 100,
    "A consuming the second 100",
  );
  await a.stop();
  const seen = new Set([...consumed(a), ...consumed(b)].map((r) => r[0]));
  for (const [v] of [...first, ...second]) assert.ok(seen.has(v), `${v} consumed`);

  // Committed offsets are each partition's end, and survive kill -9 of the broker.
  const ends = new Map<number, number>();
  for (const [, p, o] of [...first, ...second]) ends.set(p, Math.max(ends.get(p) ?? -1, o + 1));
  const committedNow = await committed(py, bootstrap);
  for (const [p, end] of ends) assert.equal(committedNow[String(p)], end, `partition ${p} committed`);
  await broker.stop("SIGKILL");
  broker = await spawnBroker(t, dir, brokerConfig, ["--port", String(port)]);
  assert.deepEqual(await committed(py, bootstrap), committedNow, "committed offsets after restart");

  // A new member resumes from the committed offsets: it sees only what was produced after.
  const third = await produce(py, bootstrap, "c", 40);
  const c = startMember(t, py, bootstrap, "grp", "g", "C");
  await waitUntil(async () => consumed(c).length >= 40, "C consuming the third batch");
  await c.stop();
  assert.deepEqual(
    consumed(c)
      .map((r) => r[0])
      .sort(),
    third.map((r) => r[0]).sort(),
    "nothing before the committed offsets is redelivered",
  );
  assert.deepEqual(errors([a, b, c]), []);
  for (const m of [a, b, c])
    assert.deepEqual(protocolErrors(m.stderr()), [], "librdkafka errors or warnings");
});

async function committed(py: string, bootstrap: string): Promise<Record<string, number>> {
  const [r] = await confluent(py, ["committed", bootstrap, "grp", "g", String(PARTITIONS)]);
  return r!.offsets as Record<string, number>;
}

function errors(members: Member[]): Event[] {
  return members.flatMap((m) => m.events.filter((e) => e.event === "error" || e.event === "commit-failed"));
}

async function waitUntil(cond: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("python3-confluent-kafka: topic configs created, refused with INVALID_CONFIG, described and altered", async (t) => {
  const py = confluentPythonOrSkip(t);
  if (!py) return;
  const broker = await spawnBroker(t, tempDir(t));
  const ev = await confluent(py, ["topic-configs", `127.0.0.1:${broker.port}`, "cfg"]);
  assert.deepEqual(ev[0], { event: "created", topic: "cfg" });
  assert.equal(ev[1]!.event, "create-failed");
  assert.match(String(ev[1]!.error), /INVALID_CONFIG.*unknown topic config min\.insync\.replicaz/);
  // librdkafka's ConfigSource: 1 DYNAMIC_TOPIC_CONFIG, 5 DEFAULT_CONFIG.
  const before = ev[2]!.configs as Record<string, [string, number]>;
  assert.deepEqual(before["retention.ms"], ["60000", 1]);
  assert.deepEqual(before["min.insync.replicas"], ["1", 1]);
  assert.deepEqual(before["segment.bytes"], ["1073741824", 5]);
  assert.equal(ev[3]!.event, "altered");
  // AlterConfigs replaces the whole set: min.insync.replicas returns to the broker's value.
  const after = ev[4]!.configs as Record<string, [string, number]>;
  assert.deepEqual(after["retention.ms"], ["1234", 1]);
  assert.deepEqual(after["min.insync.replicas"], ["1", 5]);
});
