import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadAgentConfig, parseAgentConfig } from "../../../engines/agent/config.ts";
import { isFaultbenchError } from "../../../harness/errors.ts";

const good = `
# a two-sink failover agent
a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sinkgroups = g1
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1 c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.channels.c2.type = file
a1.channels.c2.checkpointDir = /tmp/x/cp
a1.channels.c2.dataDirs = /tmp/x/data
a1.channels.c2.fsyncPerTransaction = false
a1.sinks.k1.type = http
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = http://127.0.0.1:9/a
a1.sinks.k1.rollback.4XX = false
a1.sinks.k1.backoff.404 = false
a1.sinks.k2.type = http
a1.sinks.k2.channel = c1
a1.sinks.k2.endpoint = http://127.0.0.1:9/b
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.k1 = 10
a1.sinkgroups.g1.processor.priority.k2 = 5
a1.sinkgroups.g1.processor.maxpenalty = 500
a1.sinkgroups.g1.unknownThing = 1
a2.sources = other
`;

/** Parses and returns the problems of the FB_CONFIG_INVALID error it must throw. */
function problemsOf(text: string, name = "a1"): string[] {
  try {
    parseAgentConfig(text, name);
  } catch (e) {
    assert.ok(isFaultbenchError(e), `expected a FaultbenchError, got ${e}`);
    assert.equal(e.code, "FB_CONFIG_INVALID");
    return e.context.problems ?? [];
  }
  assert.fail("config was accepted");
}

test("a complete config parses with Flume's defaults filled in", () => {
  const c = parseAgentConfig(good, "a1");
  assert.deepEqual(c.sources, [
    { name: "r1", type: "http", bind: "127.0.0.1", port: 0, channels: ["c1", "c2"] },
  ]);
  assert.deepEqual(c.channels[0], {
    name: "c1",
    type: "memory",
    capacity: 1000,
    transactionCapacity: 100,
    keepAliveMs: 3000,
  });
  const f = c.channels[1];
  assert.equal(f?.type, "file");
  if (f?.type === "file") {
    assert.equal(f.capacity, 1_000_000);
    assert.equal(f.transactionCapacity, 10_000);
    assert.equal(f.checkpointIntervalMs, 30_000);
    assert.equal(f.fsyncPerTransaction, false);
    assert.equal(f.fsyncIntervalMs, 5000);
    assert.equal(f.checkpointOnClose, true);
    assert.equal(f.dataDir, "/tmp/x/data");
  }
  const k1 = c.sinks[0];
  assert.equal(k1?.batchSize, 100);
  assert.equal(k1?.connectTimeoutMs, 5000);
  assert.deepEqual(k1?.rollback, { "4XX": false });
  assert.deepEqual(k1?.backoff, { "404": false });
  assert.deepEqual(c.sinkGroups, [
    {
      name: "g1",
      sinks: ["k1", "k2"],
      processor: { type: "failover", priority: { k1: 10, k2: 5 }, maxPenaltyMs: 500 },
      backoffStepMs: 1000,
      maxBackoffMs: 5000,
    },
  ]);
  assert.ok(c.warnings.some((w) => w.includes("a1.sinkgroups.g1.unknownThing")));
});

test("a sink outside any group gets its own default runner; load_balance defaults", () => {
  const c = parseAgentConfig(
    `x.channels = c
x.sinks = k1 k2 k3
x.sinkgroups = lb
x.channels.c.type = memory
x.sinks.k1.type = http
x.sinks.k1.channel = c
x.sinks.k1.endpoint = http://127.0.0.1:1/
x.sinks.k1.backoffStepMs = 10
x.sinks.k2.type = http
x.sinks.k2.channel = c
x.sinks.k2.endpoint = http://127.0.0.1:2/
x.sinks.k3.type = http
x.sinks.k3.channel = c
x.sinks.k3.endpoint = http://127.0.0.1:3/
x.sinkgroups.lb.sinks = k2 k3
x.sinkgroups.lb.processor.type = load_balance
`,
    "x",
  );
  assert.deepEqual(
    c.sinkGroups.map((g) => [g.name, g.processor, g.backoffStepMs]),
    [
      ["lb", { type: "load_balance", selector: "round_robin", backoff: false, maxTimeOutMs: 30000 }, 1000],
      ["k1", { type: "default" }, 10],
    ],
  );
});

test("the agent name selects the prefix; an absent agent is an error", () => {
  assert.match(problemsOf(good, "zz")[0] ?? "", /no keys for agent "zz".*a1, a2/);
});

test("unknown types name the key and the allowed values", () => {
  const p = problemsOf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sinkgroups = g
a1.sources.r1.type = avro
a1.sources.r1.port = 1
a1.sources.r1.channels = c1
a1.channels.c1.type = jdbc
a1.sinks.k1.type = hdfs
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = http://h/
a1.sinkgroups.g.sinks = k1
a1.sinkgroups.g.processor.type = magic
`);
  assert.ok(p.includes('a1.sources.r1.type: unknown value "avro" (allowed: http)'), p.join("\n"));
  assert.ok(p.includes('a1.channels.c1.type: unknown value "jdbc" (allowed: memory, file)'), p.join("\n"));
  assert.ok(p.includes('a1.sinks.k1.type: unknown value "hdfs" (allowed: http)'), p.join("\n"));
  assert.ok(
    p.includes(
      'a1.sinkgroups.g.processor.type: unknown value "magic" (allowed: default, failover, load_balance)',
    ),
  );
});

test("missing required keys are each reported", () => {
  const p = problemsOf(`a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1
a1.channels.c1.type = memory
a1.channels.c2.type = file
a1.sources.r1.type = http
a1.sinks.k1.type = http
`);
  for (const want of [
    /^a1\.sources\.r1\.port is required/,
    /^a1\.sources\.r1\.channels is required \(one or more of: c1, c2\)/,
    /^a1\.sinks\.k1\.channel is required/,
    /^a1\.sinks\.k1\.endpoint is required/,
    /^a1\.channels\.c2\.checkpointDir is required/,
    /^a1\.channels\.c2\.dataDirs is required/,
  ]) {
    assert.ok(
      p.some((x) => want.test(x)),
      `${want} not in:\n${p.join("\n")}`,
    );
  }
  assert.ok(
    problemsOf("a1.channels = c9\n").includes("a1.channels.c9.type is required (allowed: memory, file)"),
  );
});

test("channels and sinks must be declared before they are referenced", () => {
  const p = problemsOf(`a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sinkgroups = g
a1.channels.c1.type = memory
a1.sources.r1.type = http
a1.sources.r1.port = 0
a1.sources.r1.channels = c1 nope
a1.sinks.k1.type = http
a1.sinks.k1.channel = c7
a1.sinks.k1.endpoint = http://127.0.0.1:1/
a1.sinkgroups.g.sinks = k1 k9
a1.sinkgroups.g.processor.type = failover
`);
  assert.ok(
    p.includes('a1.sources.r1.channels: channel "nope" is not declared in a1.channels'),
    p.join("\n"),
  );
  assert.ok(p.includes('a1.sinks.k1.channel: channel "c7" is not declared in a1.channels'));
  assert.ok(p.includes('a1.sinkgroups.g.sinks: sink "k9" is not declared in a1.sinks'));
});

test("numbers, booleans, URLs, status codes and limits are checked", () => {
  const p = problemsOf(`a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sinkgroups = g
a1.sources.r1.type = http
a1.sources.r1.port = 70000
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = lots
a1.channels.c1.transactionCapacity = 50
a1.channels.c2.type = file
a1.channels.c2.checkpointDir = /tmp/a
a1.channels.c2.dataDirs = /tmp/b,/tmp/c
a1.channels.c2.fsyncPerTransaction = yes
a1.channels.c2.capacity = 10
a1.channels.c2.transactionCapacity = 20
a1.sinks.k1.type = http
a1.sinks.k1.channel = c1
a1.sinks.k1.endpoint = ftp://x/
a1.sinks.k1.batchSize = 80
a1.sinks.k1.rollback.9XY = false
a1.sinks.k2.type = http
a1.sinks.k2.channel = c1
a1.sinks.k2.endpoint = http://127.0.0.1:1/
a1.sinkgroups.g.sinks = k1 k2
a1.sinkgroups.g.processor.type = failover
a1.sinkgroups.g.processor.priority.k1 = 3
a1.sinkgroups.g.processor.priority.k2 = 3
`);
  for (const want of [
    'a1.sources.r1.port must be an integer 0..65535, got "70000"',
    'a1.channels.c1.capacity must be an integer >= 1, got "lots"',
    "a1.channels.c2.dataDirs: only one data directory is supported, got 2",
    'a1.channels.c2.fsyncPerTransaction must be true or false, got "yes"',
    "a1.channels.c2.transactionCapacity (20) exceeds capacity (10)",
    'a1.sinks.k1.endpoint must be an http:// or https:// URL, got "ftp://x/"',
    "a1.sinks.k1.batchSize (80) exceeds transactionCapacity (50) of channel c1",
    'a1.sinks.k1.rollback.9XY: "9XY" is not a status code (allowed: e.g. 503 or 5XX)',
    "a1.sinkgroups.g.processor.priority.k2: priority 3 is also given to k1 (priorities must be unique)",
  ]) {
    assert.ok(p.includes(want), `${want} not in:\n${p.join("\n")}`);
  }
});

test("a sink in two groups, and default with two sinks, are rejected", () => {
  const p = problemsOf(`a1.channels = c
a1.sinks = k1 k2
a1.sinkgroups = g h
a1.channels.c.type = memory
a1.sinks.k1.type = http
a1.sinks.k1.channel = c
a1.sinks.k1.endpoint = http://127.0.0.1:1/
a1.sinks.k2.type = http
a1.sinks.k2.channel = c
a1.sinks.k2.endpoint = http://127.0.0.1:1/
a1.sinkgroups.g.sinks = k1 k2
a1.sinkgroups.h.sinks = k1
a1.sinkgroups.h.processor.type = load_balance
a1.sinkgroups.h.processor.selector = fastest
`);
  assert.ok(p.includes("a1.sinkgroups.h.sinks: sink k1 is already in sink group g"), p.join("\n"));
  assert.ok(p.includes("a1.sinkgroups.g.processor.type = default takes exactly one sink, got 2"));
  assert.ok(
    p.includes('a1.sinkgroups.h.processor.selector: unknown value "fastest" (allowed: round_robin, random)'),
  );
});

test("properties syntax: colons, comments, continuation lines, later keys win", () => {
  const c = parseAgentConfig(
    `! comment
a1.channels : c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 5
a1.channels.c1.capacity = 1\\
   000
`,
    "a1",
  );
  assert.equal(c.channels[0]?.capacity, 1000);
});

test("loadAgentConfig reports an unreadable file and names the file in context", async () => {
  const dir = await mkdtemp(join(tmpdir(), "fb-config-"));
  try {
    await assert.rejects(loadAgentConfig(join(dir, "missing.properties"), "a1"), (e: unknown) => {
      assert.ok(isFaultbenchError(e) && e.code === "FB_CONFIG_INVALID");
      assert.match(e.context.problems?.[0] ?? "", /cannot read/);
      return true;
    });
    const f = join(dir, "bad.properties");
    await writeFile(f, "a1.channels = c1\na1.channels.c1.type = memory\na1.channels.c1.keep-alive = x\n");
    await assert.rejects(
      loadAgentConfig(f, "a1"),
      (e: unknown) => isFaultbenchError(e) && e.context.file === f,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
