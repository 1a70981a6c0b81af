import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startAgent } from "../../../engines/agent/agent.ts";
import { parseAgentConfig } from "../../../engines/agent/config.ts";
import { cleanup, events, post } from "./helpers/agent-process.ts";

after(cleanup);

/** An agent whose source feeds two small memory channels and no sink, so they fill up. */
async function sourceOnly(capacity: number) {
  const cfg = parseAgentConfig(
    `a1.sources = r1
a1.channels = c1 c2
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1 c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = ${capacity * 2}
a1.channels.c1.transactionCapacity = ${capacity}
a1.channels.c1.keep-alive = 0
a1.channels.c2.type = memory
a1.channels.c2.capacity = ${capacity}
a1.channels.c2.transactionCapacity = ${capacity}
a1.channels.c2.keep-alive = 0
`,
    "a1",
  );
  return startAgent(cfg, { log: () => {} });
}

test("http source: 200 commits the batch into every channel", async () => {
  const agent = await sourceOnly(10);
  try {
    const port = agent.ports.r1 as number;
    assert.equal(await post(port, events("e", 3)), 200);
    assert.equal(await post(port, []), 200);
    assert.equal(agent.channels.get("c1")?.size(), 3);
    assert.equal(agent.channels.get("c2")?.size(), 3);
    const tx = agent.channels.get("c2")?.begin();
    assert.deepEqual(tx?.take(), { headers: { seq: "0" }, body: "e-0" });
    const m = agent.metrics()["SOURCE.r1"];
    assert.equal(m?.EventAcceptedCount, 3);
    assert.equal(m?.AppendBatchAcceptedCount, 2);
  } finally {
    await agent.stop();
  }
});

test("http source: 400 for invalid JSON and for JSON that is not an array of events", async () => {
  const agent = await sourceOnly(10);
  try {
    const port = agent.ports.r1 as number;
    for (const bad of [
      "[{",
      "",
      '{"body":"x"}',
      "[1]",
      '[{"headers":{}}]',
      '[{"body":3}]',
      '[{"body":"x","headers":{"a":1}}]',
    ]) {
      assert.equal(await post(port, bad), 400, `body ${JSON.stringify(bad)}`);
    }
    assert.equal(agent.channels.get("c1")?.size(), 0);
    assert.equal(agent.metrics()["SOURCE.r1"]?.EventReadFail, 7);
  } finally {
    await agent.stop();
  }
});

test("http source: 503 when a channel is full; the first channel keeps its commit (Flume's duplicate case)", async () => {
  const agent = await sourceOnly(4);
  try {
    const port = agent.ports.r1 as number;
    assert.equal(await post(port, events("a", 4)), 200);
    // c2 (capacity 4) is full; c1 (capacity 8) still has room and commits first.
    assert.equal(await post(port, events("b", 2)), 503);
    assert.equal(agent.channels.get("c1")?.size(), 6);
    assert.equal(agent.channels.get("c2")?.size(), 4);
    // More events than a transaction may hold is also a channel refusal.
    assert.equal(await post(port, events("c", 5)), 503);
    assert.equal(agent.metrics()["SOURCE.r1"]?.ChannelWriteFail, 2);
  } finally {
    await agent.stop();
  }
});

test("http source: only POST is accepted", async () => {
  const agent = await sourceOnly(4);
  try {
    const r = await fetch(`http://127.0.0.1:${agent.ports.r1}/`);
    await r.arrayBuffer();
    assert.equal(r.status, 405);
  } finally {
    await agent.stop();
  }
});
