import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startAgent } from "../../../engines/agent/agent.ts";
import { parseAgentConfig } from "../../../engines/agent/config.ts";
import { cleanup, events, eventually, post, startCollector } from "./helpers/agent-process.ts";

after(cleanup);

function agentTo(endpoint: string, extra = "") {
  return startAgent(
    parseAgentConfig(
      `a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.sinks.k1.type = http
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = ${endpoint}
a1.sinks.k1.batchSize = 10
a1.sinks.k1.requestTimeout = 1000
a1.sinks.k1.backoffStepMs = 20
a1.sinks.k1.maxBackoffMs = 50
${extra}`,
      "a1",
    ),
    { log: () => {} },
  );
}

test("http sink: posts batches of {headers, body} as JSON and commits on 2xx", async () => {
  const col = await startCollector();
  const agent = await agentTo(col.url);
  try {
    assert.equal(await post(agent.ports.r1 as number, events("e", 25)), 200);
    await eventually(() => col.accepted().length === 25, 5000, "25 events");
    assert.deepEqual(col.accepted(), events("e", 25));
    assert.ok(col.requests.every((r) => r.events.length <= 10));
    assert.equal(col.requests[0]?.contentType, "application/json; charset=UTF-8");
    await eventually(() => agent.channels.get("c1")?.size() === 0);
    await eventually(() => agent.metrics()["SINK.k1"]?.BatchCompleteCount === 2, 5000, "commits counted");
    const m = agent.metrics()["SINK.k1"];
    assert.equal(m?.EventDrainSuccessCount, 25);
    assert.equal(m?.BatchCompleteCount, 2);
  } finally {
    await agent.stop();
    await col.close();
  }
});

test("http sink: a failing server makes the sink roll back and retry the same batch, losing nothing", async () => {
  let fails = 3;
  const col = await startCollector(() => (fails-- > 0 ? 500 : 200));
  const agent = await agentTo(col.url);
  try {
    assert.equal(await post(agent.ports.r1 as number, events("e", 10)), 200);
    await eventually(() => col.accepted().length === 10, 5000, "delivery after failures");
    assert.equal(col.requests.length, 4);
    // The rolled-back batch came back from the head of the channel in its original order.
    for (const r of col.requests) assert.deepEqual(r.events, events("e", 10));
    // The collector counts a batch when it answers; the sink counts it only after its commit.
    await eventually(() => agent.metrics()["SINK.k1"]?.EventDrainSuccessCount === 10, 5000, "commit counted");
    const m = agent.metrics()["SINK.k1"];
    assert.equal(m?.EventWriteFail, 30);
    assert.equal(m?.EventDrainSuccessCount, 10);
  } finally {
    await agent.stop();
    await col.close();
  }
});

test("http sink: rollback.CODE = false commits (drops) what the server rejected", async () => {
  const col = await startCollector(() => 400);
  const agent = await agentTo(col.url, "a1.sinks.k1.rollback.4XX = false\na1.sinks.k1.backoff.400 = false\n");
  try {
    assert.equal(await post(agent.ports.r1 as number, events("e", 10)), 200);
    await eventually(() => agent.channels.get("c1")?.size() === 0, 5000, "channel drained");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(col.requests.length, 1, "dropped batch is not resent");
    assert.equal(agent.metrics()["SINK.k1"]?.EventDrainSuccessCount, 0);
  } finally {
    await agent.stop();
    await col.close();
  }
});

test("http sink: connection refused keeps the events in the channel and counts the failure", async () => {
  const col = await startCollector();
  const url = col.url;
  await col.close(); // nothing listens on this port any more
  const agent = await agentTo(url);
  try {
    assert.equal(await post(agent.ports.r1 as number, events("e", 5)), 200);
    await eventually(
      () => Number(agent.metrics()["SINK.k1"]?.ConnectionFailedCount) >= 2,
      5000,
      "connect failures",
    );
    // Events are either back in the queue or in the batch being retried, never lost.
    const ch = agent.channels.get("c1");
    await eventually(() => ch?.size() === 5, 2000, "rolled-back events in the channel");
  } finally {
    await agent.stop();
  }
});

test("http sink: stop rolls back a batch whose request cannot finish, and the events stay in the channel", async () => {
  const col = await startCollector(() => new Promise<number>(() => {})); // never answers
  const agent = await agentTo(col.url);
  const ch = agent.channels.get("c1");
  assert.equal(await post(agent.ports.r1 as number, events("e", 10)), 200);
  await eventually(() => col.requests.length === 1, 5000, "request in flight");
  assert.equal(ch?.size(), 0);
  await agent.stop(); // waits for the request timeout (1 s), then the rollback
  assert.equal(ch?.size(), 10);
  await col.close();
});
