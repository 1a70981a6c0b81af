/**
 * Leader failover on a real 3-node combined cluster (each node a broker and a Raft voter):
 *  - kill -9 of the node that is both a partition leader and the active controller moves its
 *    leaderships about one session timeout after the kill: the new active controller counts the
 *    dead node's session from its last Raft append, not from its own election;
 *  - after a controlled shutdown (SIGTERM) a follower fetches the partition from its new leader
 *    at once, without waiting out the fetch it has parked at that broker for other partitions
 *    (replica.fetch.wait.max.ms);
 *  - an active controller paused for less than a session is not fenced by its successor.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { type ClusterNode, fastCluster, spawnCluster, type TestCluster } from "../helpers/cluster.ts";
import { waitFor } from "../helpers/kafka.ts";
import { tempDir } from "../helpers/tmp.ts";

type After = { after: (fn: () => unknown) => void };
type Partition = { partitionIndex: number; leaderId: number; isrNodes: number[] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (n: ClusterNode) =>
  n.proc !== undefined && n.proc.exitCode === null && n.proc.signalCode === null;

/** A request to one broker that gives up after `ms` (a dead or paused broker answers nothing). */
async function ask(port: number, key: number, version: number, body: Record<string, unknown>, ms: number) {
  const c = await RawClient.connect(port);
  try {
    return (await Promise.race([
      c.request(key, version, body),
      new Promise((_, rej) => setTimeout(() => rej(new Error("timeout")), ms)),
      // biome-ignore lint/suspicious/noExplicitAny: protocol answers are read field by field
    ])) as Record<string, any>;
  } finally {
    c.close();
  }
}

/** The topic's partitions as the first live broker other than `skip` shows them. */
async function partitions(cluster: TestCluster, topic: string, skip = -1): Promise<Partition[]> {
  for (const n of cluster.nodes) {
    if (n.id === skip || !alive(n)) continue;
    try {
      const md = await ask(
        n.port,
        ApiKey.Metadata,
        6,
        { topics: [{ name: topic }], allowAutoTopicCreation: false },
        1000,
      );
      return md.topics[0].partitions as Partition[];
    } catch {
      // ask the next one
    }
  }
  throw new Error("no broker answered Metadata");
}

async function createTopic(cluster: TestCluster, topic: string, count: number): Promise<Partition[]> {
  const r = await ask(
    cluster.nodes[0]!.port,
    ApiKey.CreateTopics,
    3,
    {
      topics: [{ name: topic, numPartitions: count, replicationFactor: 3, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    },
    10_000,
  );
  assert.equal(r.topics[0].errorCode, 0);
  let parts: Partition[] = [];
  await waitFor(
    async () => {
      parts = await partitions(cluster, topic);
      return parts.length === count && parts.every((p) => p.leaderId > 0 && p.isrNodes.length === 3);
    },
    15_000,
    "every partition led with a full ISR",
  );
  return parts;
}

/** An acks=all write of one record to `partition` through `port`; resolves with its error code. */
async function write(port: number, topic: string, partition: number, timeoutMs: number): Promise<number> {
  const r = await ask(
    port,
    ApiKey.Produce,
    7,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs,
      topicData: [
        {
          name: topic,
          partitionData: [{ index: partition, records: buildBatch([{ value: Buffer.from("x") }]) }],
        },
      ],
    },
    timeoutMs + 2000,
  );
  return r.responses[0].partitionResponses[0].errorCode as number;
}

/** The node that last won a controller election (the highest term any node logged). */
function activeController(cluster: TestCluster): { id: number; term: number } {
  let best = { id: -1, term: -1 };
  for (const n of cluster.nodes)
    for (const m of n.stderr.matchAll(/controller (\d+) is the active controller \(term (\d+)\)/g))
      if (Number(m[2]) > best.term) best = { id: Number(m[1]), term: Number(m[2]) };
  return best;
}

async function cluster3(t: After, sets: Record<string, string>): Promise<TestCluster> {
  return spawnCluster(t, tempDir(t), 3, { ...fastCluster, ...sets });
}

test("kill -9 of the node that leads a partition and the quorum: leadership moves within a session of the kill", async (t) => {
  // A long election timeout makes the old way (a full session from the new controller's
  // election, which comes at least 0.8 s after the last append) clearly later than the bound.
  const sessionMs = 6000;
  const cluster = await cluster3(t, {
    "broker.session.timeout.ms": String(sessionMs),
    "controller.quorum.election.timeout.ms": "1000",
  });
  const parts = await createTopic(cluster, "f", 3);
  const victim = activeController(cluster).id;
  const led = parts.filter((p) => p.leaderId === victim).map((p) => p.partitionIndex);
  assert.ok(led.length > 0, `the active controller ${victim} leads a partition: ${JSON.stringify(parts)}`);
  const t0 = Date.now();
  await cluster.node(victim).stop("SIGKILL");
  await waitFor(
    async () => {
      const now = await partitions(cluster, "f", victim).catch(() => []);
      return led.every((i) => {
        const p = now.find((x) => x.partitionIndex === i);
        return p !== undefined && p.leaderId > 0 && p.leaderId !== victim;
      });
    },
    sessionMs + 10_000,
    "the dead node's leaderships to move",
  );
  const moved = Date.now() - t0;
  t.diagnostic(`leadership moved ${moved} ms after the kill`);
  // Counting from the new controller's election would put this past sessionMs + 800 ms.
  assert.ok(moved < sessionMs + 600, `leadership moved ${moved} ms after the kill (session ${sessionMs} ms)`);
  assert.ok(
    moved > sessionMs - 500,
    `leadership moved ${moved} ms after the kill, before a session had passed`,
  );
  const survivors = cluster.nodes
    .filter((n) => n.id !== victim)
    .map((n) => n.stderr)
    .join("");
  assert.match(
    survivors,
    new RegExp(`broker ${victim} was the active controller: its session counts from its last append`),
  );
});

test("SIGTERM of a leader: the follower fetches from the new leader without waiting out replica.fetch.wait.max.ms", async (t) => {
  const cluster = await cluster3(t, {
    "replica.fetch.wait.max.ms": "5000",
    "replica.lag.time.max.ms": "15000",
  });
  const parts = await createTopic(cluster, "g", 3);
  const victim = parts.find((p) => p.partitionIndex === 0)!.leaderId;
  const others = cluster.nodes.filter((n) => n.id !== victim);
  // A write to every partition: each follower's fetch to each surviving leader is answered and
  // parked again just now, so it would next return only ~5 s from here.
  for (const p of parts)
    assert.equal(await write(cluster.node(p.leaderId).port, "g", p.partitionIndex, 5000), 0);
  const t0 = Date.now();
  const stopped = cluster.node(victim).stop("SIGTERM");
  for (;;) {
    const codes = await Promise.all(others.map((n) => write(n.port, "g", 0, 8000).catch(() => -1)));
    if (codes.includes(0)) break;
    assert.ok(Date.now() - t0 < 15_000, `no acks=all write on a new leader within 15 s: ${codes}`);
    await sleep(10);
  }
  const ms = Date.now() - t0;
  t.diagnostic(`first acks=all write on the new leader ${ms} ms after SIGTERM`);
  await stopped;
  assert.ok(ms < 2000, `first acks=all write on the new leader ${ms} ms after SIGTERM`);
});

test("an active controller paused for less than a session is not fenced by the controller elected meanwhile", async (t) => {
  const sessionMs = 3000;
  const cluster = await cluster3(t, {
    "broker.session.timeout.ms": String(sessionMs),
    "controller.quorum.election.timeout.ms": "400",
  });
  await createTopic(cluster, "h", 3);
  const before = activeController(cluster);
  const paused = cluster.node(before.id);
  const t0 = Date.now();
  paused.pause();
  await sleep(1500);
  paused.resume();
  const after = activeController(cluster);
  assert.ok(
    after.term > before.term && after.id !== before.id,
    "a new controller was elected during the pause",
  );
  // Its session counted from its last append, so it had to reach the new controller within
  // about 1.5 s of waking up; it does, and it is never fenced.
  assert.match(
    cluster.node(after.id).stderr,
    new RegExp(`broker ${before.id} was the active controller: its session counts from its last append`),
  );
  while (Date.now() - t0 < sessionMs + 1500) {
    await sleep(100);
    for (const n of cluster.nodes)
      assert.doesNotMatch(
        n.stderr,
        new RegExp(`fencing broker ${before.id}:`),
        `node ${n.id} fenced the paused controller`,
      );
  }
  const parts = await partitions(cluster, "h");
  assert.ok(
    parts.every((p) => p.isrNodes.includes(before.id)),
    JSON.stringify(parts),
  );
});
