import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { scenarioFromObject } from "../../harness/scenario/load.ts";
import { designMatrix, designOf, faultKindsOf, type SuiteRun } from "../../reports/build-index.ts";
import { syntheticResults } from "../reports/helpers/fixtures.ts";

// The pull-vs-push folder is one comparison: the same fault kinds on four designs, so its suite
// index must put all four in one row of the design matrix, each in its own column.
const dir = "scenarios/pull-vs-push";
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

function load(file: string): { raw: Record<string, unknown>; engine: "agent" | "log" } {
  const raw = parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
  const s = scenarioFromObject(raw, file);
  return { raw, engine: s.engine as "agent" | "log" };
}

test("pull-vs-push: four designs, one row of the design matrix", () => {
  assert.equal(files.length, 4);
  const runs: SuiteRun[] = files.map((f) => {
    const { raw, engine } = load(f);
    return {
      runDir: f,
      results: { ...syntheticResults(), engine, scenario: String(raw.name), faults: [] },
      scenario: raw,
    };
  });
  assert.deepEqual(runs.map((r) => designOf(r.results, r.scenario)).sort(), [
    "agent · file channel · fsync per transaction",
    "agent · memory channel",
    "log · acks=1 · RF=3 · min.insync=2 · page-cache flush",
    "log · acks=all · RF=3 · min.insync=2 · page-cache flush",
  ]);
  assert.deepEqual([...new Set(runs.map((r) => faultKindsOf(r.results, r.scenario)))], ["kill + pause"]);
  const html = designMatrix(runs);
  assert.equal((html.match(/<tbody><tr>/g) ?? []).length, 1);
});

test("pull-vs-push: the expectations encode the outcome the descriptions state", () => {
  const expect = (f: string) => (load(f).raw.expect ?? {}) as Record<string, unknown>;
  assert.equal(expect("agent-memory-channel.yaml")["delivery.lost"], "> 0");
  assert.equal(expect("agent-file-channel.yaml")["delivery.lost"], 0);
  assert.equal(expect("log-rf3-acks-1.yaml")["delivery.lost"], "> 0");
  assert.equal(expect("log-rf3-acks-all.yaml")["delivery.lost"], 0);
  // The lossy designs must lose only what was sent while the downstream copy was stalled.
  assert.equal(expect("agent-memory-channel.yaml")["faults.stall-downstream.outsideWindow.lost"], "< 100");
  assert.equal(expect("log-rf3-acks-1.yaml")["faults.stall-follower-2.outsideWindow.lost"], "< 100");
});
