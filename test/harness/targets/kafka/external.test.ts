// `engine: kafka` against a separately started `faultbench serve log`, as a user would point it at
// their own cluster: the broker advertises the address the harness's proxy listens on, and the
// scenario's per-node commands (test/fixtures/node-control.mjs) kill and restart it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { isFaultbenchError } from "../../../../harness/errors.ts";
import { runScenario } from "../../../../harness/run/run-scenario.ts";
import { scenarioFromObject } from "../../../../harness/scenario/load.ts";
import { freePorts } from "../../../../harness/supervisor/ports.ts";

const root = join(import.meta.dirname, "../../../..");
const control = join(root, "test/fixtures/node-control.mjs");
const work = mkdtempSync(join(tmpdir(), "fb-ext-kafka-"));
const nodeDir = join(work, "b1");
let real = 0;
let advertised = 0;

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
    "log",
    "--name",
    "b1",
    "--port",
    String(real),
    "--data",
    join(work, "data"),
    "--advertised-listener",
    `127.0.0.1:${advertised}`,
  );

before(async () => {
  [real, advertised] = (await freePorts(2)) as [number, number];
  const [cmd, ...args] = startCmd() as [string, ...string[]];
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

after(() => {
  if (existsSync(join(nodeDir, "pid"))) {
    const [cmd, ...args] = ctl("resume") as [string, ...string[]];
    spawnSync(cmd, args);
    const [k, ...kargs] = ctl("kill") as [string, ...string[]];
    spawnSync(k, kargs);
  }
  rmSync(work, { recursive: true, force: true });
});

/** The last lines of every process log of a run: the run dir is removed afterwards. */
function logTails(runDir: string): string {
  const dir = join(runDir, "logs");
  if (!existsSync(dir)) return "";
  return readdirSync(dir)
    .map((f) => `--- ${f}\n${readFileSync(join(dir, f), "utf8").split("\n").slice(-15).join("\n")}`)
    .join("\n");
}

function scenario(extra: { topology?: Record<string, unknown>; faults?: unknown[] } = {}) {
  return {
    name: "ext-kafka",
    engine: "kafka",
    seed: 5,
    topology: {
      bootstrap: `127.0.0.1:${advertised}`,
      topic: `ext-${Date.now()}`,
      partitions: 3,
      sessionTimeout: "6s",
      nodes: {
        b1: {
          address: `127.0.0.1:${real}`,
          proxy: `127.0.0.1:${advertised}`,
          kill: ctl("kill"),
          start: startCmd(),
          pause: ctl("pause"),
          resume: ctl("resume"),
        },
      },
      ...extra.topology,
    },
    workload: { rate: "400/s", producers: 2, consumers: 1, warmup: "1s", duration: "5s", drain: "10s" },
    faults: extra.faults ?? [
      {
        name: "slow-link",
        kind: "toxic",
        link: "clients->b1",
        type: "latency",
        attributes: { latency: 40 },
        at: "1500ms",
        for: "1s",
      },
      { name: "kill-b1", kind: "kill", node: "b1", at: "3s", restartAfter: "1s" },
    ],
    expect: { "delivery.lost": 0, "order.reordered": 0 },
  };
}

describe("engine: kafka against an external faultbench serve log", () => {
  test("network faults through the proxy it advertises and a kill and restart by the user's commands: nothing acked is lost", async () => {
    const s = scenarioFromObject(scenario(), "ext.yaml");
    const { runDir, results } = await runScenario({ scenario: s, outDir: work, projectRoot: root });
    assert.equal(
      results.status,
      "passed",
      `${JSON.stringify(results.error ?? results.checks, null, 1)}\n${logTails(runDir)}`,
    );
    assert.deepEqual(
      results.faults.map((f) => f.name),
      ["slow-link", "kill-b1"],
    );
    const history = readFileSync(join(runDir, "history.ndjson"), "utf8");
    for (const step of ['"f":"toxic"', '"f":"untoxic"', '"f":"kill"', '"f":"start"'])
      assert.match(history, new RegExp(`"type":"ok"[^\\n]*${step}|${step}[^\\n]*"type":"ok"`), step);
    assert.ok(results.delivery.acked > 1000);
    // The kill really happened: the broker's log shows it starting twice.
    const starts = readFileSync(join(nodeDir, "node.log"), "utf8").match(/"faultbench":"ready"/g) ?? [];
    assert.equal(starts.length, 2);
    assert.match(readFileSync(join(runDir, "logs", "b1.log"), "utf8"), /kill: .*node-control\.mjs kill/);
  });

  test("node faults without commands are refused before anything starts, naming the fix", () => {
    const bare = scenario({
      topology: { nodes: { b1: { address: `127.0.0.1:${real}`, proxy: `127.0.0.1:${advertised}` } } },
      faults: [{ kind: "pause", node: "b1", at: "2s", for: "1s" }],
    });
    try {
      scenarioFromObject(bare, "ext.yaml");
      assert.fail("should not validate");
    } catch (e) {
      assert.ok(isFaultbenchError(e) && e.code === "FB_SCENARIO_INVALID");
      assert.match(
        e.message,
        /faults\[0\]\.node: node faults on an external cluster run your commands: give topology\.nodes\.b1 kill, pause, resume, stop, start as argument lists/,
      );
    }
  });

  test("a command written as a shell string is refused: argument lists only", () => {
    const bad = scenario({ topology: { nodes: { b1: { kill: "kill -9 1234" } } }, faults: [] });
    assert.throws(
      () => scenarioFromObject(bad, "ext.yaml"),
      /topology\.nodes\.b1\.kill: must be an argument list/,
    );
  });

  test("the CLI exits 2 on it, and on a restart without a start command or a proxy off loopback", () => {
    const bad = scenario({
      topology: {
        nodes: {
          b1: {
            address: `127.0.0.1:${real}`,
            proxy: `10.1.2.3:${advertised}`,
            kill: ["true"],
            pause: ["true"],
          },
        },
      },
      faults: [{ kind: "kill", node: "b1", at: "2s", restartAfter: "1s" }],
    });
    const file = join(work, "bad.yaml");
    writeFileSync(file, stringify(bad));
    const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "bin/faultbench.js"), "run", file], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /faults\[0\]\.restartAfter: needs a start command to bring b1 back/);
    assert.match(r.stderr, /topology\.nodes\.b1\.proxy: the harness's proxy listens on loopback only/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, "no stack trace");
  });
});
