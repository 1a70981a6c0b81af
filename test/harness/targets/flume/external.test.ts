// `engine: flume` against our agent started separately (`faultbench serve agent`), as a user
// would point it at their own Flume agent: the producers post to its HTTP source through the
// harness's proxy, its HTTP sink posts to the harness's collector through a proxy at the address
// the agent was configured with, and the scenario's commands kill and restart it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runScenario } from "../../../../harness/run/run-scenario.ts";
import { scenarioFromObject } from "../../../../harness/scenario/load.ts";
import { freePorts } from "../../../../harness/supervisor/ports.ts";

const root = join(import.meta.dirname, "../../../..");
const control = join(root, "test/fixtures/node-control.mjs");
const work = mkdtempSync(join(tmpdir(), "fb-ext-flume-"));
const nodeDir = join(work, "a1");
let source = 0;
let sinkTo = 0;

const ctl = (verb: string, ...rest: string[]) => [process.execPath, control, verb, nodeDir, ...rest];
const startCmd = () =>
  ctl(
    "start",
    "--",
    process.execPath,
    "--import",
    "tsx",
    join(root, "bin/faultbench.js"),
    "serve",
    "agent",
    "--config",
    join(work, "a1.properties"),
    "--name",
    "a1",
  );

before(async () => {
  [source, sinkTo] = (await freePorts(2)) as [number, number];
  mkdirSync(join(work, "data"), { recursive: true });
  writeFileSync(
    join(work, "a1.properties"),
    [
      "a1.sources = r1",
      "a1.channels = c1",
      "a1.sinks = k1",
      "a1.sources.r1.type = http",
      "a1.sources.r1.bind = 127.0.0.1",
      `a1.sources.r1.port = ${source}`,
      "a1.sources.r1.channels = c1",
      "a1.channels.c1.type = file",
      `a1.channels.c1.checkpointDir = ${join(work, "data", "checkpoint")}`,
      `a1.channels.c1.dataDirs = ${join(work, "data", "data")}`,
      "a1.sinks.k1.type = http",
      "a1.sinks.k1.channel = c1",
      `a1.sinks.k1.endpoint = http://127.0.0.1:${sinkTo}/`,
      "a1.sinks.k1.requestTimeout = 1000",
      "",
    ].join("\n"),
  );
  const [cmd, ...args] = startCmd() as [string, ...string[]];
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

after(() => {
  if (existsSync(join(nodeDir, "pid"))) {
    const [k, ...kargs] = ctl("kill") as [string, ...string[]];
    spawnSync(k, kargs);
  }
  rmSync(work, { recursive: true, force: true });
});

describe("engine: flume against an external faultbench serve agent", () => {
  test("the sink's link cut through the proxy, a kill and restart by the user's commands: a file channel loses nothing", async () => {
    const s = scenarioFromObject(
      {
        name: "ext-flume",
        engine: "flume",
        seed: 6,
        topology: {
          agent: "a1",
          source: `127.0.0.1:${source}`,
          collectors: { collector: { listen: `127.0.0.1:${sinkTo}` } },
          durability: "file channel",
          nodes: { a1: { kill: ctl("kill"), start: startCmd() } },
        },
        workload: { rate: "500/s", producers: 2, warmup: "1s", duration: "5s", drain: "10s" },
        faults: [
          { name: "cut-sink", kind: "down", link: "a1->collector", at: "1500ms", for: "1s" },
          { name: "kill-a1", kind: "kill", node: "a1", at: "3500ms", restartAfter: "1s" },
        ],
        expect: { "delivery.lost": 0 },
      },
      "ext.yaml",
    );
    const { results } = await runScenario({ scenario: s, outDir: work, projectRoot: root });
    assert.equal(results.status, "passed", JSON.stringify(results.error ?? results.checks, null, 1));
    assert.deepEqual(
      results.faults.map((f) => f.name),
      ["cut-sink", "kill-a1"],
    );
    assert.ok(results.delivery.acked > 1000);
    // Every delivery came through the collector (a replayed take after the restart counts twice).
    assert.equal(
      results.deliveredBy.collector,
      results.delivery.delivered + results.delivery.duplicateDeliveries,
    );
    const starts = readFileSync(join(nodeDir, "node.log"), "utf8").match(/"faultbench":"ready"/g) ?? [];
    assert.equal(starts.length, 2, "the agent was killed and started again");
  });

  test("collectors must listen on loopback, and node faults need commands", () => {
    assert.throws(
      () =>
        scenarioFromObject(
          {
            name: "bad",
            engine: "flume",
            topology: { source: "127.0.0.1:1", collectors: { collector: { listen: "192.0.2.1:5000" } } },
            workload: { rate: "10/s", duration: "2s" },
            faults: [{ kind: "kill", node: "agent", at: "1s" }],
          },
          "bad.yaml",
        ),
      (e: Error) =>
        /topology\.collectors\.collector\.listen: the harness's proxy listens on loopback only/.test(
          e.message,
        ) &&
        /faults\[0\]\.node: node faults on an external cluster run your commands: give topology\.nodes\.agent kill/.test(
          e.message,
        ),
    );
  });
});
