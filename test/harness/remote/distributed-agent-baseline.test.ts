/**
 * agent-baseline with 1 and then 3 `faultbench worker` processes on loopback (the HTTP protocol remote hosts
 * use): the same delivery accounting, and the workers' merged HDR histograms count every delivery.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { SendOp } from "../../../harness/history/op.ts";
import { readHistory } from "../../../harness/history/reader.ts";
import { runScenario } from "../../../harness/run/run-scenario.ts";
import { baseline } from "../../helpers/baselines.ts";
import { startWorker, type WorkerProcess } from "../../helpers/worker-process.ts";

const root = join(import.meta.dirname, "../../..");
const out = mkdtempSync(join(tmpdir(), "fb-remote-run-"));
const workers: WorkerProcess[] = [];
before(async () => {
  workers.push(...(await Promise.all([startWorker(), startWorker(), startWorker()])));
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  rmSync(out, { recursive: true, force: true });
});

const name = "agent-baseline";
test(`${name}: 1 and 3 remote workers give the same accounting, merged histograms count every delivery`, async () => {
  const scenario = baseline(name);
  const accounting = [];
  for (const n of [1, 3]) {
    const { runDir, results } = await runScenario({
      scenario,
      outDir: out,
      projectRoot: root,
      remoteWorkers: { urls: workers.slice(0, n).map((w) => w.url) },
    });
    assert.equal(
      results.status,
      "passed",
      `${n} workers: ${JSON.stringify(results.error ?? results.checks)}`,
    );
    const d = results.delivery;
    accounting.push({ attempted: d.attempted, acked: d.acked, delivered: d.delivered, lost: d.lost });
    const dist = results.distributed;
    assert.ok(dist, "results.distributed is written");
    assert.equal(dist.clock, "coordinator");
    assert.equal(dist.workers.length, n);
    assert.deepEqual(dist.lost, []);
    for (const w of dist.workers)
      assert.ok(w.offsetErrorMs >= 0 && w.offsetErrorMs < 1000, JSON.stringify(w));
    // Each remote worker's CPU is a load-path process for the harness-bound rule.
    const remoteCpu = (results.resources?.processes ?? []).filter((p) => /^worker-\d+ http/.test(p.name));
    assert.equal(remoteCpu.length, n, JSON.stringify(results.resources?.processes));
    for (const p of remoteCpu) {
      assert.equal(p.role, "client");
      assert.ok(p.cpuSeconds > 0 && p.meanCores > 0 && p.meanCores < 4, JSON.stringify(p));
    }
    assert.equal(dist.publishMerged.count, d.delivered, "merged HDR counts = delivered");
    assert.equal(
      dist.workers.reduce((s, w) => s + w.acked, 0),
      d.acked,
    );
    // Every planned message was invoked by exactly one worker.
    const ops = await readHistory(join(runDir, "history.ndjson"));
    const invoked = ops
      .filter((o): o is SendOp => o.f === "send" && o.type === "invoke")
      .reduce((s, o) => s + o.to - o.from + 1, 0);
    assert.equal(invoked, d.attempted);
  }
  const [one, three] = accounting;
  assert.deepEqual(three, one);
  assert.equal(one?.lost, 0);
  assert.equal(one?.attempted, one?.delivered);
});
