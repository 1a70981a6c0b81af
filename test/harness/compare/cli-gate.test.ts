// The gate's commands end to end through the CLI: baseline save, compare (exit codes 0/1/2/3 and
// the files CI reads), trend, and one real `run --repeat 2 --baseline` of a tiny scenario.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gateResults, writeRepeatSet } from "../../helpers/gate-samples.ts";

const root = join(import.meta.dirname, "../../..");
const cli = join(root, "harness/cli.ts");
const tmp = mkdtempSync(join(tmpdir(), "fb-gate-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // cwd is the temp dir: baselines and noise records land in its reports/.
    execFile(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), cli, ...args],
      { cwd: tmp, timeout: 110_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

const set = (name: string, n: number, o: Parameters<typeof gateResults>[1] = {}, seed = 1) =>
  writeRepeatSet(
    join(tmp, name),
    Array.from({ length: n }, (_, i) => [gateResults(seed * 100 + i, o)]),
  );

describe("faultbench baseline save / compare / trend", () => {
  test("A/A passes (0), a planted delay fails (1) and is named in compare.md and junit.xml", async () => {
    const base = set("base", 5);
    assert.equal((await run(["baseline", "save", base, "--name", "main"])).code, 0);
    assert.ok(existsSync(join(tmp, "reports/baselines/main/baseline.json")));

    const aa = await run(["compare", "main", set("aa", 5, {}, 2)]);
    assert.equal(aa.code, 0, aa.stderr);
    assert.match(aa.stdout, /^no regression/);

    const slow = set("slow", 5, { plantedMs: 5 }, 3);
    const r = await run(["compare", "main", slow]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /REGRESSION: .*end-to-end p50/);
    assert.match(
      readFileSync(join(slow, "compare.md"), "utf8"),
      /\| quiet \| .* \| ❌ \*\*regression\*\* \|/,
    );
    assert.match(readFileSync(join(slow, "junit.xml"), "utf8"), /<failure message="regression: worse by/);
    assert.ok(existsSync(join(slow, "benchmark.json")));
    assert.ok(existsSync(join(slow, "compare.html")));
  });

  test("lost messages fail on one run; a broken run exits 3; bad input exits 2", async () => {
    const one = set("one", 1, {}, 4);
    assert.equal((await run(["baseline", "save", one, "--name", "single"])).code, 0);
    const lossy = await run(["compare", "single", set("lossy", 1, { lost: 3 }, 5)]);
    assert.equal(lossy.code, 1);
    assert.match(lossy.stdout, /REGRESSION: .*lost.*delivery failed/);
    assert.match(lossy.stderr, /below 5 a side/);

    assert.equal((await run(["compare", "single", set("broken", 1, { status: "errored" }, 6)])).code, 3);

    const nope = await run(["compare", "nightly", one]);
    assert.equal(nope.code, 2);
    assert.match(nope.stderr, /faultbench baseline save/);
    assert.doesNotMatch(nope.stderr, /\n\s+at /);

    const other = await run([
      "compare",
      "single",
      set("other", 1, { cpu: "another cpu" }, 7),
      "--strict-env",
    ]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /--strict-env/);
    const warned = await run(["compare", "single", join(tmp, "other")]);
    assert.equal(warned.code, 0);
    assert.match(warned.stderr, /different machine class/);
  });

  test("trend draws every scenario's key figures over commits", async () => {
    const r = await run(["trend", tmp]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /commit\(s\)/);
    const html = readFileSync(join(tmp, "trend.html"), "utf8");
    assert.match(html, /quiet: end-to-end p99/);
    assert.ok(JSON.parse(readFileSync(join(tmp, "trend.json"), "utf8")).length > 0);
    assert.equal((await run(["trend", join(tmp, "missing")])).code, 2);
  });

  test("run --repeat 2 --baseline: a suite per repeat, the aggregate, and the gate", async () => {
    // Without the fixture's throughput floor: on a busy machine it is the run's, not the gate's, to fail.
    const tiny = readFileSync(join(root, "test/fixtures/scenarios/tiny-chain.yaml"), "utf8")
      .replace("duration: 2s", "duration: 1s")
      .replace(/\n\s*throughput\.ackedPerSec: .*/, "");
    const file = join(tmp, "tiny.yaml");
    writeFileSync(file, tiny);
    const first = await run(["run", file, "--repeat", "2", "--out", join(tmp, "runs")]);
    assert.equal(first.code, 0, first.stderr);
    const dir = /repeat set: (\S+)/.exec(first.stdout)?.[1] as string;
    for (const f of ["repeats.json", "aggregate.json", "repeat-1/suite.json", "repeat-2/suite.json"])
      assert.ok(existsSync(join(dir, f)), f);
    const agg = JSON.parse(readFileSync(join(dir, "aggregate.json"), "utf8"));
    const acked = agg.scenarios["tiny-chain"].figures["throughput.ackedPerSec"];
    assert.equal(acked.n, 2);
    assert.ok(acked.min <= acked.median && acked.median <= acked.max);
    assert.equal((await run(["baseline", "save", dir, "--name", "tiny"])).code, 0);
    const second = await run(["run", file, "--baseline", "tiny", "--out", join(tmp, "runs")]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    // 2 baseline repeats vs 1 candidate run: nothing can be shown either way, and the line says so.
    assert.match(second.stdout, /comparing with baseline tiny\nno regression shown, but CANNOT JUDGE/);
  });

  test("noise: A/A repeats, the CV table, stored for later compares", async () => {
    const r = await run(["noise", join(tmp, "tiny.yaml"), "--repeat", "2", "--out", join(tmp, "runs")]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /\| tiny-chain \| throughput\.ackedPerSec \| [\d.]+ \| [\d.]+% \| [\d.]+% \| 2 \|/,
    );
    const stored = JSON.parse(readFileSync(join(tmp, "reports/noise/tiny-chain.json"), "utf8"));
    assert.equal(stored.repeats, 2);
    assert.equal(typeof stored.robustCv["latency.endToEnd.corrected.p99"], "number");
    assert.equal((await run(["noise", join(tmp, "tiny.yaml"), "--repeat", "1"])).code, 2);
  });
});
