import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { CapacityResult } from "../../../harness/capacity/types.ts";

const root = join(import.meta.dirname, "../../..");
const cli = join(root, "harness/cli.ts");
const out = mkdtempSync(join(tmpdir(), "fb-capacity-"));
after(() => rmSync(out, { recursive: true, force: true }));

function faultbench(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", cli, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
}

test("capacity runs real steps and writes capacity.json, capacity.html and each step's run", () => {
  const r = faultbench([
    "capacity",
    "test/fixtures/scenarios/tiny-chain.yaml",
    "--slo",
    "delivery.lost == 0",
    "--start",
    "200",
    "--max-steps",
    "1",
    "--runs-per-step",
    "2",
    "--duration",
    "1s",
    "--out",
    out,
  ]);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.match(r.stdout, /2 runs per load, judged by their majority; at most 1 loads/);
  assert.match(r.stdout, /search step phase/);
  assert.match(r.stdout, /search 1: /);
  const [dir] = readdirSync(out).filter((d) => d.includes("capacity-tiny-chain"));
  assert.ok(dir, r.stdout);
  const c = JSON.parse(readFileSync(join(out, dir, "capacity.json"), "utf8")) as CapacityResult;
  assert.equal(c.kind, "capacity");
  assert.equal(c.knob, "rate");
  const steps = c.searches[0]?.steps ?? [];
  // One load, run until two runs agree (a tie gets a third).
  assert.ok(steps.length >= 2 && steps.length <= 3, JSON.stringify(steps.map((s) => s.verdict)));
  assert.deepEqual([...new Set(steps.map((s) => s.level))], [200]);
  assert.deepEqual(
    steps.slice(0, 2).map((s) => s.phase),
    ["grow", "repeat"],
  );
  for (const s of steps) {
    assert.ok(existsSync(join(out, dir, s.runDir, "results.json")));
    assert.ok(existsSync(join(out, dir, s.runDir, "report.html")));
    assert.ok(s.checks.some((x) => x.name === "keeps up"));
  }
  const html = readFileSync(join(out, dir, "capacity.html"), "utf8");
  assert.match(html, /data-answer=/);
  assert.match(html, /Latency against load/);
});

test("a bad SLO is a usage error (exit 2) that shows the fix", () => {
  const r = faultbench([
    "capacity",
    "test/fixtures/scenarios/tiny-chain.yaml",
    "--slo",
    "p99 fast",
    "--out",
    out,
  ]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /write a results path, a comparison and a value/);
});

test("a sweep point with a bad value is reported like a scenario error before anything runs", () => {
  const r = faultbench([
    "sweep",
    "test/fixtures/scenarios/tiny-chain.yaml",
    "--set",
    "workload.producers=0,2",
    "--out",
    out,
  ]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /workload\.producers/);
});

test("repeated searches take turns step by step, and each step records when it started", () => {
  const r = faultbench([
    "capacity",
    "test/fixtures/scenarios/tiny-chain.yaml",
    "--slo",
    "delivery.lost == 0",
    "--start",
    "100",
    "--max-steps",
    "2",
    "--repeat",
    "2",
    "--duration",
    "1s",
    "--out",
    out,
  ]);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.match(r.stdout, /2 searches, interleaved step by step/);
  const dir = readdirSync(out)
    .filter((d) => d.includes("capacity-tiny-chain"))
    .sort()
    .at(-1) as string;
  const c = JSON.parse(readFileSync(join(out, dir, "capacity.json"), "utf8")) as CapacityResult;
  assert.equal(c.options.order, "interleaved");
  assert.equal(c.searches.length, 2);
  const [a = [], b = []] = c.searches.map((s) => s.steps.map((x) => Date.parse(x.startedAt)));
  if (a.length < 2 || b.length < 2) {
    // Only a search whose first load could not speak for the engine stops after one step (a
    // harness-bound step on a machine busy with other work); then there is no order to check.
    const ends = c.searches.map((s) => s.end);
    assert.ok(
      ends.some((e) => e === "harness-bound" || e === "nothing-good"),
      JSON.stringify(c.searches),
    );
    return;
  }
  const [a1 = 0, a2 = 0] = a;
  const [b1 = 0, b2 = 0] = b;
  // a1 < b1 < a2 < b2: the second search's first step ran between the first search's steps.
  assert.ok(a1 < b1 && b1 < a2 && a2 < b2, JSON.stringify({ a, b }));
});
