import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Results } from "../../../harness/results/types.ts";
import { alive } from "../../helpers/pid.ts";

const root = join(import.meta.dirname, "../../..");
const cli = join(root, "harness/cli.ts");
const tiny = join(root, "test/fixtures/scenarios/tiny-chain.yaml");
const out = mkdtempSync(join(tmpdir(), "fb-run-"));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(out, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d.toString();
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => err, stdout: () => out, exited };
}

async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Pids of every node the run started, read from the ready lines in its logs. */
function nodePids(runDir: string): number[] {
  const logs = join(runDir, "logs");
  return readdirSync(logs).flatMap((f) =>
    [...readFileSync(join(logs, f), "utf8").matchAll(/"faultbench":"ready".*?"pid":(\d+)/g)].map((m) =>
      Number(m[1]),
    ),
  );
}

function only(dir: string): string {
  const entries = readdirSync(dir);
  assert.equal(entries.length, 1, `one run directory in ${dir}: ${entries}`);
  return join(dir, entries[0] as string);
}

test("a short run passes, writes its run directory, and check agrees offline", async () => {
  const dir = join(out, "ok");
  const r = start(["run", tiny, "--out", dir, "--seed", "9"]);
  assert.equal(await r.exited, 0, r.stderr());
  const runDir = only(dir);
  for (const f of ["scenario.yaml", "history.ndjson", "results.json", "logs/a1.log", "logs/a2.log"]) {
    assert.ok(existsSync(join(runDir, f)), f);
  }
  assert.match(readFileSync(join(runDir, "scenario.yaml"), "utf8"), /seed: 9/);
  const res = JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")) as Results;
  assert.equal(res.status, "passed");
  assert.equal(res.seed, 9);
  assert.equal(res.delivery.attempted, 2500);
  assert.equal(res.delivery.lost, 0);
  assert.equal(res.delivery.delivered, 2500);
  assert.ok(res.latency.endToEnd.corrected.count > 0);
  for (const pid of nodePids(runDir)) assert.equal(alive(pid), false, `node ${pid} is gone`);
  // The sampler read both agents' channels once a second of the 2.5 s load.
  for (const n of ["a1", "a2"]) {
    const fill = res.nodes?.[n]?.channelFill ?? [];
    assert.ok(fill.length >= 2, `${n}: ${fill.length} channel samples`);
    assert.ok(fill.every((p) => p.fillPct >= 0 && p.size >= 0));
  }
  // The report is built right after the run and its path printed.
  assert.ok(existsSync(join(runDir, "report.html")));
  assert.match(
    r.stdout(),
    new RegExp(
      `report: ${join(runDir, "report.html").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(built in \\d+ ms\\)`,
    ),
  );

  const c = start(["check", runDir]);
  assert.equal(await c.exited, 0, c.stdout());
  assert.match(c.stdout(), /every figure matches results\.json/);

  // A tampered figure: check lists it and exits 1.
  const file = join(runDir, "results.json");
  const honest = readFileSync(file, "utf8");
  const edited = JSON.parse(honest) as Results;
  edited.latency.endToEnd.corrected.p99 = edited.latency.endToEnd.corrected.p99 / 2;
  edited.throughput.ackedPerSec += 1;
  writeFileSync(file, JSON.stringify(edited));
  const t = start(["check", runDir]);
  assert.equal(await t.exited, 1, t.stdout());
  assert.match(t.stdout(), /2 figures of results\.json differ/);
  assert.match(t.stdout(), /latency\.endToEnd\.corrected\.p99: results\.json/);
  assert.match(t.stdout(), /throughput\.ackedPerSec: results\.json/);
  writeFileSync(file, honest);
});

test("Ctrl-C stops every node, keeps partial results and exits 3", async () => {
  const dir = join(out, "sigint");
  const r = start(["run", tiny, "--out", dir, "--duration", "60s"]);
  await waitFor(() => /measure/.test(r.stderr()), 30_000, "the measure phase");
  const runDir = only(dir);
  const pids = nodePids(runDir);
  assert.equal(pids.length, 3, "a1, a2 and the fault proxy");
  r.child.kill("SIGINT");
  assert.equal(await r.exited, 3);
  for (const pid of pids) assert.equal(alive(pid), false, `node ${pid} is gone`);
  const res = JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")) as Results;
  assert.equal(res.status, "errored");
  assert.equal(res.error?.code, "FB_RUN_ABORTED");
  assert.ok(res.delivery.attempted > 0, "partial history was analysed");
});

test("engines exit on their own when faultbench itself is killed with SIGKILL", async () => {
  const dir = join(out, "sigkill");
  const r = start(["run", tiny, "--out", dir, "--duration", "60s"]);
  await waitFor(() => /measure/.test(r.stderr()), 30_000, "the measure phase");
  const pids = nodePids(only(dir));
  assert.equal(pids.length, 3);
  r.child.kill("SIGKILL");
  await r.exited;
  // No handler of the harness ran: each engine notices its stdin close and stops itself.
  await waitFor(() => pids.every((p) => !alive(p)), 15_000, "every engine to exit");
});

test("an engine that dies on its own is reported as a crash, not waited on", async () => {
  const dir = join(out, "crash");
  const r = start(["run", tiny, "--out", dir, "--duration", "60s"]);
  await waitFor(() => /measure/.test(r.stderr()), 30_000, "the measure phase");
  const runDir = only(dir);
  const pids = nodePids(runDir);
  process.kill(pids[0] as number, "SIGKILL");
  assert.equal(await r.exited, 3);
  const res = JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")) as Results;
  assert.equal(res.error?.code, "FB_ENGINE_CRASHED");
  assert.match(r.stderr(), /a1 exited \(SIGKILL\) UNEXPECTEDLY/);
  for (const pid of pids) assert.equal(alive(pid), false);
});

test("a log run: brokers, consumer processes and the partition-order check, with a consumer killed", async () => {
  const dir = join(out, "log");
  const r = start(["run", join(root, "test/fixtures/scenarios/tiny-log.yaml"), "--out", dir]);
  assert.equal(await r.exited, 0, r.stderr());
  const runDir = only(dir);
  const res = JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")) as Results;
  assert.equal(res.status, "passed");
  assert.equal(res.delivery.lost, 0);
  assert.equal(res.delivery.attempted, 2000);
  assert.equal(res.order?.partitions, 3);
  assert.equal(res.order?.reordered, 0);
  assert.ok(res.checks.some((c) => c.name === "partition-order" && c.valid === true));
  assert.equal(res.faults[0]?.name, "kill-c2");
  for (const f of ["broker-1.log", "consumer-1.log", "consumer-2.log", "proxy.log"]) {
    assert.ok(existsSync(join(runDir, "logs", f)), f);
  }
  for (const pid of nodePids(runDir)) assert.equal(alive(pid), false, `node ${pid} is gone`);
});

test("a fault that did not happen breaks the run (exit 3) unless it is optional", async () => {
  // a2 is killed at 0.7 s and never restarted; the kills at 1 s (optional) and 1.2 s find it down.
  const dir = join(out, "double-kill");
  const r = start(["run", join(root, "test/fixtures/scenarios/tiny-double-kill.yaml"), "--out", dir]);
  assert.equal(await r.exited, 3, r.stderr());
  const res = JSON.parse(readFileSync(join(only(dir), "results.json"), "utf8")) as Results;
  assert.equal(res.status, "errored");
  assert.equal(res.error?.code, "FB_FAULT_NOT_APPLIED");
  assert.match(res.error?.message ?? "", /k3: kill failed: a2 is not running/);
  assert.doesNotMatch(res.error?.message ?? "", /k2/);
  const byName = Object.fromEntries(res.faults.map((f) => [f.name, f]));
  assert.equal(byName.k1?.applied, true);
  assert.equal(byName.k2?.applied, false);
  assert.equal(byName.k2?.optional, true);
  assert.equal(byName.k3?.applied, false);
  assert.equal(byName.k3?.unavailableMs, null);
  assert.equal(byName.k3?.recoveryMs, null);
  // The offline check reaches the same verdict.
  const c = start(["check", only(dir)]);
  assert.equal(await c.exited, 3);
});

test("a network fault: a latency toxic on producers->a1 shows in publish latency only", async () => {
  const dir = join(out, "toxic");
  const r = start(["run", join(root, "test/fixtures/scenarios/tiny-latency.yaml"), "--out", dir]);
  assert.equal(await r.exited, 0, r.stderr());
  const res = JSON.parse(readFileSync(join(only(dir), "results.json"), "utf8")) as Results;
  assert.ok(res.latency.publish.p50 >= 75, `publish p50 ${res.latency.publish.p50}`);
  assert.ok(res.latency.endToEnd.corrected.p50 < 40, `e2e p50 ${res.latency.endToEnd.corrected.p50}`);
  assert.deepEqual(
    readFileSync(join(only(dir), "history.ndjson"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"process":"nemesis"'))
      .map((l) => {
        const op = JSON.parse(l) as { f: string; type: string };
        return `${op.f}:${op.type}`;
      }),
    ["toxic:invoke", "toxic:ok", "untoxic:invoke", "untoxic:ok"],
  );
});
