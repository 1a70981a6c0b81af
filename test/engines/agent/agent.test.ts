import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  cleanup,
  events,
  eventually,
  post,
  spawnAgent,
  startCollector,
  tempDir,
} from "./helpers/agent-process.ts";

after(cleanup);

test("two hops: agent a1's sink feeds agent a2's source, headers and order intact", async () => {
  const dir = await tempDir();
  const col = await startCollector();
  const a2 = await spawnAgent(
    dir,
    "a2",
    `a2.sources = in
a2.channels = fc
a2.sinks = out
a2.sources.in.type = http
a2.sources.in.port = 0
a2.sources.in.channels = fc
a2.channels.fc.type = file
a2.channels.fc.checkpointDir = ${join(dir, "a2-cp")}
a2.channels.fc.dataDirs = ${join(dir, "a2-data")}
a2.sinks.out.type = http
a2.sinks.out.channel = fc
a2.sinks.out.endpoint = ${col.url}
`,
  );
  const a1 = await spawnAgent(
    dir,
    "a1",
    `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = http
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = http://127.0.0.1:${a2.ports.in}/
`,
  );
  const sent = [];
  for (let i = 0; i < 10; i++) {
    const batch = events("hop", 100, i * 100);
    sent.push(...batch);
    assert.equal(await post(a1.ports.r1 as number, batch), 200);
  }
  await eventually(() => col.accepted().length >= 1000, 10_000, "1000 events through two hops");
  assert.deepEqual(col.accepted(), sent);
  const m1 = await a1.metrics();
  const m2 = await a2.metrics();
  assert.equal(m1["SINK.k1"]?.EventDrainSuccessCount, 1000);
  assert.equal(m2["SOURCE.in"]?.EventAcceptedCount, 1000);
  for (const a of [a1, a2]) {
    a.kill("SIGTERM");
    assert.equal((await a.exited).code, 0);
  }
  await col.close();
});
