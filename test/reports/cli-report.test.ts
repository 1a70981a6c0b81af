// `faultbench report` end to end, and `faultbench run` building the report and the index: a real
// (short) suite of two scenarios, one with hostile text in its description and fault name.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { HOSTILE, syntheticResults, writeRunDir } from "./helpers/fixtures.ts";

const root = join(import.meta.dirname, "../..");
const cli = join(root, "harness/cli.ts");
const tmp = mkdtempSync(join(tmpdir(), "fb-cli-report-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cli, ...args],
      { cwd: root, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

test("report --help explains the three forms", async () => {
  const r = await run(["report", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: faultbench report \[options\] <dir> \[candidate-dir\]/);
  assert.match(r.stdout, /--out <file>/);
  assert.match((await run(["--help"])).stdout, /\breport\b/);
});

test("bad input exits 2 with a message naming the directory", async () => {
  const missing = await run(["report", join(tmp, "nope")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope: no such directory/);
  const empty = join(tmp, "empty");
  mkdirSync(empty);
  const notRun = await run(["report", empty]);
  assert.equal(notRun.code, 2);
  assert.match(notRun.stderr, /not a run directory \(no results\.json\) nor a suite directory/);
  const r = writeRunDir(join(tmp, "one"), syntheticResults());
  const half = await run(["report", r, empty]);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /empty is not a run directory/);
  assert.equal((await run(["report", r, r, r])).code, 2);
  const broken = join(tmp, "broken");
  mkdirSync(broken);
  writeFileSync(join(broken, "results.json"), "{nope");
  const b = await run(["report", broken]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /results\.json: not valid JSON/);
  assert.doesNotMatch(b.stderr, /\n\s+at /, "no stack trace");
});

test("report <run-dir> rebuilds report.html and prints its path; two dirs write compare.html", async () => {
  const a = writeRunDir(join(tmp, "a"), syntheticResults());
  const b = writeRunDir(join(tmp, "b"), syntheticResults({ slower: 2 }));
  const one = await run(["report", a]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, `${join(a, "report.html")}\n`);
  const two = await run(["report", a, b]);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(two.stdout, `${join(b, "compare.html")}\n`);
  const out = join(tmp, "cmp.html");
  assert.equal((await run(["report", a, b, "--out", out])).stdout, `${out}\n`);
  assert.ok(readFileSync(out, "utf8").includes("baseline"));
});

test("run over a folder: a report per run and the suite index, paths printed; report rebuilds the suite", async () => {
  const folder = join(tmp, "scenarios");
  mkdirSync(folder);
  const tiny = readFileSync(join(root, "test/fixtures/scenarios/tiny-chain.yaml"), "utf8")
    .replace("duration: 2s", "duration: 1s")
    .replace("drain: 3s", "drain: 2s");
  writeFileSync(join(folder, "calm.yaml"), tiny.replace("name: tiny-chain", "name: calm"));
  writeFileSync(
    join(folder, "paused.yaml"),
    tiny
      .replace("name: tiny-chain", "name: paused")
      .replace("description: A short two-hop chain for tests.", `description: "hostile ${HOSTILE}"`)
      .replace(
        "expect:",
        `faults:\n  - { name: "p ${HOSTILE}", kind: pause, node: a2, at: 700ms, for: 300ms }\nexpect:`,
      ),
  );
  const out = join(tmp, "runs");
  const r = await run(["run", folder, "--out", out]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const [suite] = readdirSync(out);
  const suiteDir = join(out, suite as string);
  const runDirs = readdirSync(suiteDir).filter((d) => !d.includes("."));
  assert.equal(runDirs.length, 2);
  for (const d of runDirs) {
    const report = join(suiteDir, d, "report.html");
    assert.ok(existsSync(report), report);
    assert.match(
      r.stdout,
      new RegExp(`report: ${report.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(built in \\d+ ms\\)`),
    );
    const html = readFileSync(report, "utf8");
    assert.ok(!html.includes(HOSTILE), `${d}: hostile text escaped`);
    assert.equal(html.match(/<\/script>/gi)?.length, 5);
  }
  assert.match(r.stdout, /index: .*index\.html \(built in \d+ ms\)/);
  const index = readFileSync(join(suiteDir, "index.html"), "utf8");
  assert.match(index, />calm</);
  assert.match(index, />paused</);
  assert.match(index, /pause a2 \(p &lt;script&gt;alert\(1\)&lt;\/script&gt;\)/);

  rmSync(join(suiteDir, "index.html"));
  const again = await run(["report", suiteDir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.trim().split("\n").length, 3, again.stdout);
  assert.ok(existsSync(join(suiteDir, "index.html")));
});
