import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  cleanup,
  events,
  eventually,
  post,
  runAgentToExit,
  spawnAgent,
  startCollector,
  tempDir,
} from "./helpers/agent-process.ts";

after(cleanup);

function fileAgent(dir: string, endpoint: string): string {
  return `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = file
a1.channels.c1.checkpointDir = ${join(dir, "cp")}
a1.channels.c1.dataDirs = ${join(dir, "data")}
a1.sinks.k1.type = http
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = ${endpoint}
a1.sinks.k1.batchSize = 10
a1.sinks.k1.requestTimeout = 20000
a1.sinks.k1.backoffStepMs = 20
a1.sinks.k1.maxBackoffMs = 50
`;
}

test("main: a bad config prints every problem on stderr and exits 2", async () => {
  const dir = await tempDir();
  const r = await runAgentToExit(
    dir,
    "a1",
    "a1.sources = r1\na1.channels = c1\na1.sources.r1.type = http\na1.sources.r1.port = 0\na1.sources.r1.channels = c9\na1.channels.c1.type = memory\na1.channels.c1.capacity = big\n",
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /a1\.sources\.r1\.channels: channel "c9" is not declared in a1\.channels/);
  assert.match(r.stderr, /a1\.channels\.c1\.capacity must be an integer >= 1, got "big"/);
});

test("main: ready line names the source and metrics ports; SIGTERM stops cleanly with a checkpoint", async () => {
  const dir = await tempDir();
  const col = await startCollector(() => 503); // nothing gets out, so the events stay in the channel
  const a = await spawnAgent(dir, "a1", fileAgent(dir, col.url));
  assert.deepEqual(Object.keys(a.ports).sort(), ["metrics", "r1"]);
  assert.equal(await post(a.ports.r1 as number, events("e", 5)), 200);
  const m = await a.metrics();
  assert.equal(m["SOURCE.r1"]?.EventAcceptedCount, 5);
  assert.equal(m["CHANNEL.c1"]?.ChannelCapacity, 1_000_000);
  assert.equal(typeof m["SINK.k1"]?.EventDrainAttemptCount, "number");
  a.kill("SIGTERM");
  assert.deepEqual(await a.exited, { code: 0, signal: null });
  assert.ok((await readdir(join(dir, "cp"))).includes("checkpoint"));
  await col.close();
});

test("main: after kill -9, committed events survive and the taken-but-uncommitted batch is delivered again", async () => {
  const dir = await tempDir();
  // The collector holds the first batch's response forever: the sink has taken it, not committed.
  let hold = true;
  const col = await startCollector(() => (hold ? new Promise<number>(() => {}) : 200));
  const a = await spawnAgent(dir, "a1", fileAgent(dir, col.url));
  const port = a.ports.r1 as number;
  for (let i = 0; i < 3; i++) assert.equal(await post(port, events("e", 10, i * 10)), 200);
  await eventually(() => col.requests.length === 1, 5000, "first batch in flight");
  const inflight = col.requests[0]?.events ?? [];
  assert.equal(inflight.length, 10);
  a.kill("SIGKILL");
  assert.equal((await a.exited).signal, "SIGKILL");

  hold = false;
  const b = await spawnAgent(dir, "a1", fileAgent(dir, col.url));
  await eventually(() => col.accepted().length === 30, 10_000, "all 30 events after restart");
  const got = col.accepted().map((e) => e.body);
  assert.deepEqual(
    got,
    events("e", 30).map((e) => e.body),
    "everything, in order, the in-flight batch first",
  );
  assert.deepEqual(col.requests[1]?.events, inflight, "the held batch is sent again: a duplicate downstream");
  assert.match(b.stderr(), /Duplicate messages will exist in destination/);
  b.kill("SIGTERM");
  assert.equal((await b.exited).code, 0);
  await col.close();
});
