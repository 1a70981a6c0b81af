import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startAgent } from "../../../engines/agent/agent.ts";
import { parseAgentConfig } from "../../../engines/agent/config.ts";
import {
  FailoverProcessor,
  LoadBalanceProcessor,
  type NamedSink,
} from "../../../engines/agent/sink-processors.ts";
import type { SinkStatus } from "../../../engines/agent/sink-status.ts";
import { cleanup, events, eventually, post, startCollector } from "./helpers/agent-process.ts";

after(cleanup);

function groupAgent(a: string, b: string, processor: string) {
  return startAgent(
    parseAgentConfig(
      `a1.sources = r1
a1.channels = c1
a1.sinks = ka kb
a1.sinkgroups = g1
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.sinks.ka.type = http
a1.sinks.ka.channel = c1
a1.sinks.ka.endpoint = ${a}
a1.sinks.ka.batchSize = 10
a1.sinks.kb.type = http
a1.sinks.kb.channel = c1
a1.sinks.kb.endpoint = ${b}
a1.sinks.kb.batchSize = 10
a1.sinkgroups.g1.sinks = ka kb
a1.sinkgroups.g1.backoffStepMs = 20
a1.sinkgroups.g1.maxBackoffMs = 50
${processor}`,
      "a1",
    ),
    { log: () => {} },
  );
}

const bodies = (l: { body: string }[]) => l.map((e) => e.body).sort();

test("failover: the top-priority sink's failures send events to the next; it is restored after its penalty", async () => {
  let aDown = true;
  const a = await startCollector(() => (aDown ? 503 : 200));
  const b = await startCollector();
  const agent = await groupAgent(
    a.url,
    b.url,
    `a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.ka = 10
a1.sinkgroups.g1.processor.priority.kb = 5
a1.sinkgroups.g1.processor.maxpenalty = 300
`,
  );
  try {
    const port = agent.ports.r1 as number;
    assert.equal(await post(port, events("one", 20)), 200);
    await eventually(() => b.accepted().length === 20, 5000, "failover to kb");
    assert.ok(a.requests.length >= 1, "ka was tried first");
    assert.equal(a.accepted().length, 0);
    aDown = false;
    await new Promise((r) => setTimeout(r, 350)); // past the 300 ms penalty
    assert.equal(await post(port, events("two", 20)), 200);
    await eventually(() => a.accepted().length + b.accepted().length === 40, 5000, "all 40 delivered");
    assert.ok(a.accepted().length >= 10, `ka restored, got ${a.accepted().length}`);
    assert.deepEqual(
      bodies([...a.accepted(), ...b.accepted()]),
      bodies([...events("one", 20), ...events("two", 20)]),
    );
  } finally {
    await agent.stop();
    await a.close();
    await b.close();
  }
});

test("load_balance: round robin spreads batches over both sinks; a dead sink's share goes to the other", async () => {
  const a = await startCollector();
  const b = await startCollector();
  const agent = await groupAgent(
    a.url,
    b.url,
    `a1.sinkgroups.g1.processor.type = load_balance
a1.sinkgroups.g1.processor.selector = round_robin
a1.sinkgroups.g1.processor.backoff = true
a1.sinkgroups.g1.processor.selector.maxTimeOut = 5000
`,
  );
  try {
    const port = agent.ports.r1 as number;
    assert.equal(await post(port, events("x", 100)), 200);
    await eventually(() => a.accepted().length + b.accepted().length === 100, 5000, "100 delivered");
    assert.equal(a.accepted().length, 50);
    assert.equal(b.accepted().length, 50);
    await b.close(); // connection refused from now on
    assert.equal(await post(port, events("y", 50)), 200);
    await eventually(() => a.accepted().length === 100, 5000, "all of y to ka");
    assert.deepEqual(
      bodies(a.accepted()).filter((s) => s.startsWith("y")),
      bodies(events("y", 50)),
    );
    assert.equal(b.accepted().length, 50);
  } finally {
    await agent.stop();
    await a.close();
  }
});

/** A sink that fails while `down` is true. */
function fake(name: string, state: { down: boolean; calls: number }): NamedSink {
  return {
    name,
    process: async (): Promise<SinkStatus> => {
      state.calls++;
      if (state.down) throw new Error(`${name} down`);
      return "READY";
    },
  };
}

test("failover: penalty is min(maxpenalty, 2^fails × 1000) and all-failed throws", async () => {
  const s1 = { down: true, calls: 0 };
  const s2 = { down: true, calls: 0 };
  const p = new FailoverProcessor([fake("k1", s1), fake("k2", s2)], { k1: 2, k2: 1 }, 30_000, () => {});
  const t0 = Date.now();
  await assert.rejects(p.process(), /All sinks failed/);
  assert.deepEqual(
    p.failed.map((f) => [f.sink.name, f.fails]),
    [
      ["k1", 1],
      ["k2", 1],
    ],
  );
  for (const f of p.failed)
    assert.ok(f.refreshAt - t0 >= 2000 && f.refreshAt - t0 < 2100, "first penalty is 2 s");
  const capped = new FailoverProcessor([fake("k1", s1)], { k1: 1 }, 500, () => {});
  await assert.rejects(capped.process());
  assert.ok((capped.failed[0]?.refreshAt ?? 0) - Date.now() <= 500);
});

test("load_balance: random selector uses the injected RNG; backoff leaves a failed sink out", async () => {
  const s = [
    { down: false, calls: 0 },
    { down: false, calls: 0 },
    { down: false, calls: 0 },
  ];
  const sinks = s.map((st, i) => fake(`k${i}`, st));
  const rr = new LoadBalanceProcessor(sinks, "round_robin", false, 1000, () => {}, Math.random);
  assert.deepEqual(
    rr.order().map((x) => x.name),
    ["k0", "k1", "k2"],
  );
  assert.deepEqual(
    rr.order().map((x) => x.name),
    ["k1", "k2", "k0"],
  );
  const rnd = new LoadBalanceProcessor(
    sinks,
    "random",
    false,
    1000,
    () => {},
    () => 0,
  );
  assert.deepEqual(
    rnd.order().map((x) => x.name),
    ["k1", "k2", "k0"],
  );
  (s[0] as { down: boolean }).down = true;
  const lb = new LoadBalanceProcessor(sinks, "round_robin", true, 1000, () => {}, Math.random);
  assert.equal(await lb.process(), "READY");
  assert.equal(s[0]?.calls, 1);
  assert.deepEqual(
    lb.order().map((x) => x.name),
    ["k1", "k2"],
    "k0 is backed off",
  );
});
