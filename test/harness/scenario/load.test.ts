import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type FaultbenchError, isFaultbenchError } from "../../../harness/errors.ts";
import {
  defaultExpectations,
  loadScenario,
  type Scenario,
  scenarioFromObject,
  scenarioFromText,
} from "../../../harness/scenario/load.ts";
import type { ResolvedAgentTopology } from "../../../harness/targets/agent/resolve.ts";

type AgentScenario = Scenario<ResolvedAgentTopology>;

function agentOf(s: Scenario): AgentScenario {
  assert.equal(s.engine, "agent");
  return s as AgentScenario;
}

const FILE = "s.yaml";

/** A minimal valid scenario document; tests spread changes over it. */
function base(): Record<string, unknown> {
  return {
    name: "tiny",
    engine: "agent",
    topology: {
      agents: {
        a1: { channel: { type: "memory" }, sinks: ["a2"] },
        a2: { channel: { type: "file" }, sinks: ["collector"] },
      },
    },
    workload: { rate: "1000/s", duration: "10s" },
  };
}

function withWorkload(extra: Record<string, unknown>): Record<string, unknown> {
  const doc = base();
  doc.workload = { ...(doc.workload as Record<string, unknown>), ...extra };
  return doc;
}

/** The problems a document is rejected with; fails the test when it is accepted. */
function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    assert.ok(isFaultbenchError(e), `not a FaultbenchError: ${String(e)}`);
    const fe = e as FaultbenchError;
    assert.equal(fe.code, "FB_SCENARIO_INVALID");
    const problems = fe.context.problems ?? [];
    assert.ok(problems.length > 0);
    for (const p of problems) assert.ok(fe.message.includes(p), `message lacks ${p}`);
    return problems;
  }
  assert.fail("the scenario was accepted");
}

const rejectObject = (doc: unknown) => problemsOf(() => scenarioFromObject(doc, FILE));

describe("a valid scenario", () => {
  test("gets defaults for everything it leaves out", () => {
    const s = scenarioFromObject(base(), FILE);
    assert.equal(s.name, "tiny");
    assert.equal(s.description, "");
    assert.equal(s.seed, 1);
    assert.equal(s.file, FILE);
    assert.deepEqual(s.workload, {
      rate: 1000,
      arrival: "uniform",
      messageSize: 100,
      producers: 2,
      consumers: 1,
      keys: 0,
      batchSize: 100,
      linger: 5,
      maxInFlight: 64,
      timeout: 2000,
      warmup: 1000,
      duration: 10_000,
      drain: 5000,
    });
    assert.deepEqual(agentOf(s).topology.collectors, { collector: { delay: 0 } });
    assert.deepEqual(s.faults, []);
  });

  test("the entry is the first agent unless named", () => {
    assert.equal(agentOf(scenarioFromObject(base(), FILE)).topology.entry, "a1");
    const doc = base();
    (doc.topology as Record<string, unknown>).entry = "a2";
    assert.equal(agentOf(scenarioFromObject(doc, FILE)).topology.entry, "a2");
  });

  test("gets the default expectations: nothing lost, nothing unexpected, no refusal delivered", () => {
    assert.deepEqual(defaultExpectations, {
      "delivery.lost": 0,
      "delivery.unexpected": 0,
      "delivery.failedButDelivered": 0,
      "delivery.corrupted": 0,
    });
    const s = scenarioFromObject(base(), FILE);
    assert.deepEqual(s.expectations, [
      { path: "delivery.lost", op: "==", value: 0, source: "0" },
      { path: "delivery.unexpected", op: "==", value: 0, source: "0" },
      { path: "delivery.failedButDelivered", op: "==", value: 0, source: "0" },
      { path: "delivery.corrupted", op: "==", value: 0, source: "0" },
    ]);
  });

  test("its own expectations override the defaults on the same path and add to the rest", () => {
    const doc = { ...base(), expect: { "delivery.lost": "> 0", "latency.endToEnd.p99": "< 200ms" } };
    const s = scenarioFromObject(doc, FILE);
    const byPath = new Map(s.expectations.map((e) => [e.path, e]));
    assert.equal(s.expectations.length, 5);
    assert.deepEqual(byPath.get("delivery.lost"), {
      path: "delivery.lost",
      op: ">",
      value: 0,
      source: "> 0",
    });
    assert.deepEqual(byPath.get("delivery.unexpected")?.value, 0);
    assert.deepEqual(byPath.get("latency.endToEnd.p99"), {
      path: "latency.endToEnd.p99",
      op: "<",
      value: 200,
      source: "< 200ms",
    });
  });

  test("parses rate shapes into kinds", () => {
    assert.deepEqual(scenarioFromObject(withWorkload({ rate: 300 }), FILE).workload.rate, 300);
    assert.deepEqual(scenarioFromObject(withWorkload({ rate: { constant: "300/m" } }), FILE).workload.rate, {
      kind: "constant",
      rate: 5,
    });
    assert.deepEqual(
      scenarioFromObject(withWorkload({ rate: { ramp: { from: "100/s", to: "2000/s" } } }), FILE).workload
        .rate,
      { kind: "ramp", from: 100, to: 2000 },
    );
    assert.deepEqual(
      scenarioFromObject(
        withWorkload({
          rate: {
            steps: [
              { rate: "100/s", for: "2s" },
              { rate: 0, for: "500ms" },
            ],
          },
        }),
        FILE,
      ).workload.rate,
      {
        kind: "steps",
        steps: [
          { rate: 100, forMs: 2000 },
          { rate: 0, forMs: 500 },
        ],
      },
    );
  });

  test("faults get a name from kind, node and time unless they have one", () => {
    const doc = {
      ...base(),
      faults: [
        { kind: "kill", node: "a1", at: "1.5s", restartAfter: "2s" },
        { name: "stall", kind: "pause", node: "a2", at: "3s", for: "1s" },
      ],
      expect: { "faults.kill-a1@1.5s.recoveryMs": "< 5s", "faults.stall.unavailableMs": "< 2s" },
    };
    const s = scenarioFromObject(doc, FILE);
    assert.deepEqual(
      s.faults.map((f) => f.name),
      ["kill-a1@1.5s", "stall"],
    );
    assert.deepEqual(s.faults[0], {
      kind: "kill",
      node: "a1",
      at: 1500,
      restartAfter: 2000,
      name: "kill-a1@1.5s",
      target: "a1",
    });
    assert.equal(s.expectations.length, 6);
  });

  test("raw keeps the document as written with the seed filled in, and the input is not mutated", () => {
    const doc = base();
    const before = structuredClone(doc);
    const s = scenarioFromObject(doc, FILE);
    assert.deepEqual(doc, before);
    const expected: Record<string, unknown> = { ...before, seed: 1 };
    assert.deepEqual(s.raw, expected);
    assert.equal((s.raw.workload as Record<string, unknown>).duration, "10s");
  });

  test("--seed and --duration overrides reach both raw and the result", () => {
    const doc: Record<string, unknown> = { ...base(), seed: 7 };
    const s = scenarioFromObject(doc, FILE, { seed: 42, durationMs: 90_000 });
    assert.equal(s.seed, 42);
    assert.equal(s.raw.seed, 42);
    assert.equal(s.workload.duration, 90_000);
    assert.equal((s.raw.workload as Record<string, unknown>).duration, "90s");
    assert.equal((doc.workload as Record<string, unknown>).duration, "10s");
    assert.equal(doc.seed, 7);
    const t = scenarioFromObject(doc, FILE, { durationMs: 1500 });
    assert.equal(t.seed, 7);
    assert.equal(t.workload.duration, 1500);
    assert.equal((t.raw.workload as Record<string, unknown>).duration, "1.5s");
  });

  test("a shortened duration is checked against fault times", () => {
    const doc = { ...base(), faults: [{ kind: "kill", node: "a1", at: "8s" }] };
    scenarioFromObject(doc, FILE);
    const problems = problemsOf(() => scenarioFromObject(doc, FILE, { durationMs: 5000 }));
    assert.deepEqual(problems, [`${FILE}: faults[0].at: 8s is after the load ends (warmup + duration = 6s)`]);
  });
});

describe("schema problems name the file and the path", () => {
  test("an unknown key lists the allowed keys", () => {
    const problems = rejectObject(withWorkload({ rte: "5/s" }));
    assert.deepEqual(problems, [
      `${FILE}: workload.rte: unknown key; allowed keys: rate, arrival, messageSize, producers, consumers, keys, batchSize, linger, maxInFlight, acks, client, retries, idempotent, timeout, warmup, duration, drain, workers, trace, generator`,
    ]);
  });

  test("an unknown top-level key lists the top-level keys", () => {
    const problems = rejectObject({ ...base(), fault: [] });
    assert.deepEqual(problems, [
      `${FILE}: fault: unknown key; allowed keys: name, description, seed, engine, topology, workload, faults, expect, regression`,
    ]);
  });

  test("an unknown key deep in the topology gets its full path", () => {
    const doc = base();
    const agents = (doc.topology as { agents: Record<string, Record<string, unknown>> }).agents;
    (agents.a1 as Record<string, unknown>).channel = { type: "memory", capasity: 10 };
    const problems = rejectObject(doc);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] as string,
      /^s\.yaml: topology\.agents\.a1\.channel\.capasity: unknown key; allowed keys: type, capacity/,
    );
  });

  test("a bad enum value names the options", () => {
    const problems = rejectObject(withWorkload({ arrival: "burst" }));
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /^s\.yaml: workload\.arrival: .*"uniform".*"poisson"/);
  });

  test("a duration without a unit or with a bad unit is rejected", () => {
    assert.deepEqual(rejectObject(withWorkload({ warmup: "5 sec" })), [
      `${FILE}: workload.warmup: "5 sec" is not a duration; write it with a unit, e.g. 500ms, 10s or 2m`,
    ]);
    assert.deepEqual(rejectObject(withWorkload({ linger: 5 })), [
      `${FILE}: workload.linger: 5 is not a duration; write it with a unit, e.g. 500ms, 10s or 2m`,
    ]);
  });

  test("a bad rate is rejected with its own message, not a union dump", () => {
    assert.deepEqual(rejectObject(withWorkload({ rate: "fast" })), [
      `${FILE}: workload.rate: "fast" is not a rate; write messages per second, e.g. 5000/s`,
    ]);
  });

  test("a missing required string field is reported as required", () => {
    const doc = base();
    delete doc.name;
    assert.deepEqual(rejectObject(doc), [`${FILE}: name: is required`]);
  });

  test("a missing required duration is reported as required", () => {
    // BUG (harness/scenario/load.ts issueMessages): a missing union-typed field such as
    // workload.duration comes out as "Invalid input" instead of "is required".
    const doc = base();
    doc.workload = { rate: "1000/s" };
    assert.deepEqual(rejectObject(doc), [`${FILE}: workload.duration: is required`]);
  });

  test("a bad fault kind names the kinds", () => {
    const problems = rejectObject({ ...base(), faults: [{ kind: "explode", node: "a1", at: "1s" }] });
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /^s\.yaml: faults\[0\]\.kind: .*kill.*pause.*restart.*slow/);
  });

  test("several schema problems are all reported at once", () => {
    const doc = withWorkload({ rate: "fast", arrival: "burst", bogus: 1 });
    doc.extra = true;
    const problems = rejectObject(doc);
    assert.equal(problems.length, 4);
    assert.ok(problems.some((p) => p.startsWith(`${FILE}: workload.rate: `)));
    assert.ok(problems.some((p) => p.startsWith(`${FILE}: workload.arrival: `)));
    assert.ok(problems.some((p) => p.startsWith(`${FILE}: workload.bogus: unknown key`)));
    assert.ok(problems.some((p) => p.startsWith(`${FILE}: extra: unknown key`)));
  });

  test("a document that is not a mapping is rejected", () => {
    assert.equal(rejectObject(["name"]).length, 1);
    assert.equal(rejectObject(null).length, 1);
    assert.match(rejectObject("text")[0] as string, /^s\.yaml: the file must hold a mapping/);
  });
});

describe("cross-field problems name the file and the path", () => {
  test("a sink to an unknown node lists the nodes", () => {
    const doc = base();
    const agents = (doc.topology as { agents: Record<string, Record<string, unknown>> }).agents;
    (agents.a2 as Record<string, unknown>).sinks = ["colector"];
    assert.deepEqual(rejectObject(doc), [
      `${FILE}: topology.agents.a2.sinks[0]: no node named "colector"; nodes: a1, a2, collector`,
    ]);
  });

  test("an agent with several sinks needs a processor", () => {
    const doc = base();
    doc.topology = {
      agents: { a1: { channel: { type: "memory" }, sinks: ["c1", "c2"] } },
      collectors: { c1: {}, c2: {} },
    };
    assert.deepEqual(rejectObject(doc), [
      `${FILE}: topology.agents.a1.processor: is required with several sinks: failover or load_balance`,
    ]);
    const ok = structuredClone(doc);
    (ok.topology as { agents: Record<string, Record<string, unknown>> }).agents.a1!.processor = {
      type: "failover",
    };
    assert.equal(agentOf(scenarioFromObject(ok, FILE)).topology.agents.a1?.processor?.type, "failover");
  });

  test("topology rules: at least one agent, distinct names, no self or repeated sinks, known priorities", () => {
    const withTopology = (topology: unknown) => ({ ...base(), topology });
    assert.deepEqual(rejectObject(withTopology({ agents: {} })), [
      `${FILE}: topology.agents: needs at least one agent`,
    ]);
    assert.deepEqual(
      rejectObject(
        withTopology({
          agents: { a1: { channel: { type: "memory" }, sinks: ["collector"] } },
          collectors: { a1: {}, collector: {} },
        }),
      ),
      [`${FILE}: topology.collectors.a1: "a1" is already the name of an agent`],
    );
    assert.deepEqual(
      rejectObject(withTopology({ agents: { a1: { channel: { type: "memory" }, sinks: ["a1"] } } })),
      [`${FILE}: topology.agents.a1.sinks[0]: an agent cannot sink to itself`],
    );
    assert.deepEqual(
      rejectObject(
        withTopology({
          agents: {
            a1: {
              channel: { type: "memory" },
              sinks: ["collector", "collector"],
              processor: { type: "load_balance" },
            },
          },
        }),
      ),
      [`${FILE}: topology.agents.a1.sinks: lists a target twice`],
    );
    assert.deepEqual(
      rejectObject(
        withTopology({
          agents: {
            a1: {
              channel: { type: "memory" },
              sinks: ["c1", "c2"],
              processor: { type: "failover", priority: { c1: 10, c3: 5 } },
            },
          },
          collectors: { c1: {}, c2: {} },
        }),
      ),
      [`${FILE}: topology.agents.a1.processor.priority.c3: not one of this agent's sinks (c1, c2)`],
    );
  });

  test("an unknown entry names the agents", () => {
    const doc = base();
    (doc.topology as Record<string, unknown>).entry = "a9";
    assert.deepEqual(rejectObject(doc), [`${FILE}: topology.entry: no agent named "a9"; agents: a1, a2`]);
  });

  test("a fault on an unknown node lists the valid ones", () => {
    const problems = rejectObject({ ...base(), faults: [{ kind: "kill", node: "a3", at: "2s" }] });
    assert.deepEqual(problems, [`${FILE}: faults[0].node: no node named "a3"; nodes: a1, a2`]);
  });

  test("a power loss needs a node with storage: a log consumer has none", () => {
    const problems = rejectObject({
      name: "p",
      engine: "log",
      topology: {},
      workload: { rate: "100/s", duration: "5s", consumers: 1 },
      faults: [{ kind: "power-loss", node: "consumer-1", at: "2s" }],
    });
    assert.deepEqual(problems, [
      `${FILE}: faults[0].node: power-loss does not apply to "consumer-1"; it applies to: broker-1`,
    ]);
    const ok = scenarioFromObject(
      { ...base(), faults: [{ kind: "power-loss", node: "a2", at: "2s", restartAfter: "1s" }] },
      FILE,
    );
    assert.equal(ok.faults[0]?.kind, "power-loss");
  });

  test("a scenario without failedButDelivered gets it expected as 0", () => {
    const s = scenarioFromObject(base(), FILE);
    assert.ok(
      s.expectations.some((e) => e.path === "delivery.failedButDelivered"),
      "default expectation",
    );
  });

  test("a slow fault must target a collector", () => {
    const problems = rejectObject({
      ...base(),
      faults: [{ kind: "slow", node: "a1", at: "2s", for: "1s", delay: "50ms" }],
    });
    assert.deepEqual(problems, [
      `${FILE}: faults[0].node: slow applies to collectors; collectors: collector`,
    ]);
  });

  test("a fault after the load ends is rejected, one at the very end included", () => {
    // warmup 1s + duration 10s = 11s
    assert.deepEqual(rejectObject({ ...base(), faults: [{ kind: "kill", node: "a1", at: "11s" }] }), [
      `${FILE}: faults[0].at: 11s is after the load ends (warmup + duration = 11s)`,
    ]);
    assert.equal(
      scenarioFromObject({ ...base(), faults: [{ kind: "kill", node: "a1", at: "10.9s" }] }, FILE).faults
        .length,
      1,
    );
  });

  test("two faults with the same name are rejected", () => {
    const problems = rejectObject({
      ...base(),
      faults: [
        { kind: "kill", node: "a1", at: "2s" },
        { kind: "kill", node: "a1", at: "2s" },
        { name: "x", kind: "pause", node: "a2", at: "3s", for: "1s" },
        { name: "x", kind: "pause", node: "a1", at: "4s", for: "1s" },
      ],
    });
    assert.deepEqual(problems, [
      `${FILE}: faults[1].name: "kill-a1@2s" is used by two faults; give one a name`,
      `${FILE}: faults[3].name: "x" is used by two faults; give one a name`,
    ]);
  });

  test("deliveredBy names a collector, and order.* belongs to the log", () => {
    const problems = rejectObject({
      ...base(),
      expect: { "deliveredBy.colector": "> 0", "deliveredBy.collector": "> 0", "order.reordered": 0 },
    });
    assert.deepEqual(problems, [
      's.yaml: expect.deliveredBy.colector: no collector or consumer named "colector"; here: collector',
      "s.yaml: expect.order.reordered: order.* needs deliveries with partition and offset, which the agent engine does not report",
    ]);
  });

  test("leadership.* belongs to a log cluster, and byBroker names one of its brokers", () => {
    const cluster = {
      name: "lead",
      engine: "log",
      topology: { brokers: 3, partitions: 6, replication: 3 },
      workload: { rate: "1000/s", duration: "10s" },
    };
    const s = scenarioFromObject(
      {
        ...cluster,
        expect: {
          "leadership.notPreferred": 0,
          "leadership.maxPerBroker": 2,
          "leadership.byBroker.broker-3": 2,
        },
      },
      FILE,
    );
    assert.deepEqual(
      s.expectations.map((e) => e.path).filter((p) => p.startsWith("leadership.")),
      ["leadership.notPreferred", "leadership.maxPerBroker", "leadership.byBroker.broker-3"],
    );
    assert.deepEqual(rejectObject({ ...cluster, expect: { "leadership.byBroker.broker-4": 2 } }), [
      's.yaml: expect.leadership.byBroker.broker-4: no broker named "broker-4"; here: broker-1, broker-2, broker-3',
    ]);
    assert.deepEqual(rejectObject({ ...base(), expect: { "leadership.notPreferred": 0 } }), [
      "s.yaml: expect.leadership.notPreferred: leadership.* is recorded for a log cluster only (topology.brokers 2 or more, or dedicated controllers)",
    ]);
  });

  test("an expectation on an unknown path or an undeclared fault is rejected", () => {
    const problems = rejectObject({
      ...base(),
      faults: [{ name: "k", kind: "kill", node: "a1", at: "2s" }],
      expect: { "delivery.lots": 0, "faults.nope.recoveryMs": "< 1s", "faults.k.recoveryMs": "< 1s" },
    });
    assert.equal(problems.length, 2);
    assert.match(
      problems[0] as string,
      /^s\.yaml: expect\.delivery\.lots: unknown results path "delivery\.lots"/,
    );
    assert.equal(
      problems[1],
      `${FILE}: expect.faults.nope.recoveryMs: no fault named "nope"; faults here: k`,
    );
  });

  test("an expectation with a value that cannot be read is rejected", () => {
    assert.deepEqual(rejectObject({ ...base(), expect: { "delivery.lost": "> some" } }), [
      `${FILE}: expect.delivery.lost: cannot read the value "some"; use a number, a duration (200ms, 2s) or a rate (5000/s)`,
    ]);
  });

  test("several cross-field problems are all reported at once", () => {
    const doc = base();
    const agents = (doc.topology as { agents: Record<string, Record<string, unknown>> }).agents;
    (agents.a2 as Record<string, unknown>).sinks = ["nowhere"];
    doc.faults = [{ kind: "kill", node: "zz", at: "20s" }];
    doc.expect = { "delivery.lots": 0 };
    const problems = rejectObject(doc);
    assert.equal(problems.length, 4);
    assert.ok(problems[0]?.startsWith(`${FILE}: topology.agents.a2.sinks[0]: `));
    assert.ok(problems[1]?.startsWith(`${FILE}: faults[0].node: `));
    assert.ok(problems[2]?.startsWith(`${FILE}: faults[0].at: `));
    assert.ok(problems[3]?.startsWith(`${FILE}: expect.delivery.lots: `));
  });
});

describe("YAML text and files", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fb-load-"));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const text = [
    "name: from-text",
    "seed: 9",
    "engine: agent",
    "topology:",
    "  agents:",
    "    a1: { channel: { type: memory }, sinks: [collector] }",
    "workload:",
    "  rate: 500/s",
    "  producers: 1",
    "  warmup: 500ms",
    "  duration: 3s",
    "faults:",
    "  - { kind: pause, node: a1, at: 1s, for: 500ms }",
    "expect:",
    '  faults.pause-a1@1s.recoveryMs: "< 2s"',
    "",
  ].join("\n");

  test("scenarioFromText parses YAML into a scenario", () => {
    const s = scenarioFromText(text, "t.yaml");
    assert.equal(s.name, "from-text");
    assert.equal(s.seed, 9);
    assert.equal(s.workload.rate, 500);
    assert.equal(s.workload.warmup, 500);
    assert.equal(s.workload.duration, 3000);
    assert.equal(s.faults[0]?.name, "pause-a1@1s");
    assert.deepEqual(
      s.expectations.map((e) => e.path),
      [
        "delivery.lost",
        "delivery.unexpected",
        "delivery.failedButDelivered",
        "delivery.corrupted",
        "faults.pause-a1@1s.recoveryMs",
      ],
    );
  });

  test("a YAML syntax error names the file and a line", () => {
    const problems = problemsOf(() => scenarioFromText("name: x\nworkload: [1, 2\n", "bad.yaml"));
    assert.match(problems[0] as string, /^bad\.yaml: line \d+: /);
  });

  test("a duplicate YAML key is an error", () => {
    const problems = problemsOf(() => scenarioFromText("name: a\nname: b\n", "dup.yaml"));
    assert.match(problems[0] as string, /^dup\.yaml: line 2: /);
  });

  test("loadScenario reads a file and applies overrides", async () => {
    const file = path.join(dir, "x.yaml");
    fs.writeFileSync(file, text);
    const s = await loadScenario(file, { seed: 5, durationMs: 2000 });
    assert.equal(s.file, file);
    assert.equal(s.seed, 5);
    assert.equal(s.raw.seed, 5);
    assert.equal(s.workload.duration, 2000);
    assert.equal((s.raw.workload as Record<string, unknown>).duration, "2s");
  });

  test("loadScenario names the file it cannot read", async () => {
    const file = path.join(dir, "missing.yaml");
    await assert.rejects(loadScenario(file), (e: unknown) => {
      assert.ok(isFaultbenchError(e));
      assert.equal(e.code, "FB_SCENARIO_INVALID");
      assert.ok(e.message.startsWith(`${file}: cannot read the file`));
      return true;
    });
  });

  test("problems in a file name the file path", async () => {
    const file = path.join(dir, "bad.yaml");
    fs.writeFileSync(file, text.replace("rate: 500/s", "rate: 500/s\n  bogus: 1"));
    await assert.rejects(loadScenario(file), (e: unknown) => {
      assert.ok(isFaultbenchError(e));
      assert.deepEqual(
        e.context.problems?.map((p) => p.split(": ").slice(0, 2)),
        [[file, "workload.bogus"]],
      );
      return true;
    });
  });

  test("the shipped crash scenario loads with its own expectations over the defaults", async () => {
    const s = await loadScenario("scenarios/default/agent-crash-memory-channel.yaml");
    assert.equal(s.seed, 11);
    assert.equal(agentOf(s).topology.entry, "a1");
    assert.deepEqual(
      s.faults.map((f) => [f.name, f.kind, f.target, f.at]),
      [
        ["stall-a2", "pause", "a2", 3000],
        ["kill-a1", "kill", "a1", 4500],
      ],
    );
    const lost = s.expectations.find((e) => e.path === "delivery.lost");
    assert.deepEqual(lost, { path: "delivery.lost", op: ">", value: 0, source: "> 0" });
    assert.equal(s.expectations.length, 6);
  });
});

describe("log producer client options", () => {
  const logDoc = (workload: Record<string, unknown>) => ({
    name: "clients",
    engine: "log",
    topology: { partitions: 2 },
    workload: { rate: "1000/s", duration: "10s", ...workload },
  });

  test("client, retries and idempotent are read for the log", () => {
    const s = scenarioFromObject(
      logDoc({ client: "kafkajs", acks: "all", idempotent: true, retries: 3 }),
      FILE,
    );
    assert.equal(s.engine, "log");
    assert.deepEqual(
      [s.workload.client, s.workload.acks, s.workload.idempotent, s.workload.retries],
      ["kafkajs", -1, true, 3],
    );
  });

  test("an unknown client, idempotence without acks=all or without retries, and log options on an agent are refused", () => {
    assert.match(
      rejectObject(logDoc({ client: "rdkafka" })).join("\n"),
      /workload\.client: must be "kafkajs" or "platformatic"/,
    );
    assert.match(
      rejectObject(logDoc({ idempotent: true, acks: 1 })).join("\n"),
      /workload\.idempotent: .*acks: all/,
    );
    assert.match(
      rejectObject(logDoc({ idempotent: true, acks: -1, retries: 0 })).join("\n"),
      /workload\.retries: idempotence is pointless without retries/,
    );
    const agent = rejectObject(withWorkload({ client: "kafkajs", idempotent: true })).join("\n");
    assert.match(agent, /workload\.client: applies to the log, kafka engines only/);
    assert.match(agent, /workload\.idempotent: applies to the log, kafka engines only/);
  });
});
