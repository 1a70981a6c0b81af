// The seam holds: a new target is its own folder plus one registration, and scenario loading, the
// run, the nemeses, analysis and reports take it without an edit; nothing outside
// harness/targets/ branches on an engine's name, and the engines import no harness code.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { isFaultbenchError } from "../../../harness/errors.ts";
import { runScenario } from "../../../harness/run/run-scenario.ts";
import { scenarioFromObject } from "../../../harness/scenario/load.ts";
import {
  engineNames,
  registerTarget,
  targetFor,
  unregisterTarget,
} from "../../../harness/targets/registry.ts";
import { designOf } from "../../../reports/build-index.ts";
import { writeReport } from "../../../reports/build-report.ts";
import { toyLedger, toyTarget } from "./helpers/toy/definition.ts";

const root = join(import.meta.dirname, "../../..");
const out = mkdtempSync(join(tmpdir(), "fb-seam-"));
after(() => {
  unregisterTarget("toy");
  rmSync(out, { recursive: true, force: true });
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const toyScenario = (extra: Record<string, unknown> = {}) => ({
  name: "toy-kill",
  engine: "toy",
  seed: 3,
  topology: { flushEvery: "50ms" },
  workload: {
    rate: "2000/s",
    duration: "1500ms",
    warmup: "200ms",
    drain: "1s",
    producers: 2,
    timeout: "500ms",
  },
  faults: [{ kind: "kill", node: "toy-1", at: "800ms", restartAfter: "300ms" }],
  expect: { "delivery.lost": ">= 0" },
  ...extra,
});

describe("a toy target registered from its own folder", () => {
  test("registers once, by name", () => {
    registerTarget(toyTarget);
    assert.ok(engineNames().includes("toy"));
    assert.equal(targetFor("toy"), toyTarget);
    assert.throws(() => registerTarget(toyTarget), /two targets are registered as "toy"/);
  });

  test("scenario loading validates its section and its faults against its facts", () => {
    const s = scenarioFromObject(toyScenario(), "toy.yaml");
    assert.equal(s.engine, "toy");
    assert.deepEqual(s.topology, { flushEvery: 50 });
    assert.throws(
      () => scenarioFromObject(toyScenario({ topology: { flushEvery: "50ms", extra: 1 } }), "toy.yaml"),
      /topology\.extra: unknown key; allowed keys: flushEvery/,
    );
    const bad = toyScenario({
      faults: [
        { kind: "kill", node: "toy-9", at: "800ms" },
        { kind: "down", link: "producers->toy-1", at: "800ms", for: "1s" },
      ],
    });
    try {
      scenarioFromObject(bad, "toy.yaml");
      assert.fail("should not validate");
    } catch (e) {
      assert.ok(isFaultbenchError(e));
      const problems = e.context.problems ?? [];
      assert.ok(problems.includes('toy.yaml: faults[0].node: no node named "toy-9"; nodes: toy-1'));
      assert.ok(
        problems.includes('toy.yaml: faults[1].link: no link named "producers->toy-1"; links: (none)'),
      );
    }
  });

  test("an unknown engine names the registered ones", () => {
    assert.throws(
      () => scenarioFromObject(toyScenario({ engine: "tyo" }), "toy.yaml"),
      (e: unknown) => isFaultbenchError(e) && /engine: no target named "tyo"; targets: .*toy/.test(e.message),
    );
  });

  test("runs end to end: the nemesis kills it through the Target, the accounting matches what it dropped, the report builds", async () => {
    const scenario = scenarioFromObject(toyScenario(), "toy.yaml");
    const { runDir, results } = await runScenario({ scenario, outDir: out, projectRoot: root });
    assert.equal(results.status, "passed", JSON.stringify(results.error ?? results.checks));
    assert.equal(results.engine, "toy");
    assert.equal(toyLedger.kills, 1);
    assert.equal(results.faults.length, 1);
    assert.equal(results.faults[0]?.kind, "kill");
    // What the toy dropped when it was killed is exactly what the harness counts as lost.
    assert.equal(results.delivery.lost, toyLedger.dropped);
    assert.ok(results.delivery.failed > 0, "sends while it was down fail");
    assert.ok(results.deliveredBy.sink && results.deliveredBy.sink > 0);
    const page = readFileSync(await writeReport(runDir), "utf8");
    assert.match(page, /Toy queue/);
    assert.equal(designOf(results, scenario.raw), "toy · in memory");
  });
});

describe("no engine-specific branches outside harness/targets/", () => {
  const engines = ["log", "agent", "kafka", "flume"];
  const shared = [
    ...files(join(root, "harness")).filter((f) => !f.includes(`${join("harness", "targets")}`)),
    ...files(join(root, "reports")),
  ];

  test("no file outside harness/targets imports a target's folder (only the registry and the types)", () => {
    const offenders = shared.filter((f) =>
      /from "[./]*\/?(?:harness\/)?targets\/(?!registry\.ts|target\.ts)[^"]+"/.test(readFileSync(f, "utf8")),
    );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  test("no file outside harness/targets compares an engine name", () => {
    const re = new RegExp(`engine\\s*[!=]==?\\s*"(?:${engines.join("|")})"`);
    const offenders = shared.filter((f) => re.test(readFileSync(f, "utf8")));
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });

  test("the engines import no harness code", () => {
    const offenders = files(join(root, "engines")).filter((f) =>
      /from "(?:\.\.\/)+harness\//.test(readFileSync(f, "utf8")),
    );
    assert.deepEqual(
      offenders.map((f) => relative(root, f)),
      [],
    );
  });
});
