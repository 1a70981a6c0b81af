/** A remote worker killed mid-run: the run is errored and the loss of visibility is accounted. */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SlicedSchedule } from "../../../harness/generator/slice.ts";
import type { Op, SendOp } from "../../../harness/history/op.ts";
import { readHistory } from "../../../harness/history/reader.ts";
import { runScenario } from "../../../harness/run/run-scenario.ts";
import { baseline } from "../../helpers/baselines.ts";
import { startWorker, type WorkerProcess } from "../../helpers/worker-process.ts";

const root = join(import.meta.dirname, "../../..");
const out = mkdtempSync(join(tmpdir(), "fb-remote-lost-"));
const workers: WorkerProcess[] = [];
before(async () => {
  workers.push(...(await Promise.all([startWorker(), startWorker()])));
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  rmSync(out, { recursive: true, force: true });
});

test("a worker killed mid-run: the run is errored and its slice's unseen sends are indeterminate", async () => {
  const victim = await startWorker();
  try {
    const scenario = baseline("agent-baseline", { duration: "4s" });
    const urls = [workers[0]?.url as string, victim.url, workers[1]?.url as string];
    const { runDir, results } = await runScenario({
      scenario,
      outDir: out,
      projectRoot: root,
      remoteWorkers: { urls },
      onProgress: (e) => {
        if (e.type === "phase" && e.phase === "measure") victim.child.kill("SIGKILL");
      },
    });
    assert.equal(results.status, "errored");
    assert.equal(results.error?.code, "FB_WORKER_LOST");
    assert.match(results.error?.message ?? "", /worker-2 .* stopped answering .* indeterminate/);
    assert.deepEqual(results.distributed?.lost, [victim.url]);
    assert.ok(results.distributed?.workers[1]?.lostAtMs !== undefined);

    const ops: Op[] = await readHistory(join(runDir, "history.ndjson"));
    assert.ok(ops.some((o) => o.f === "worker-lost" && o.url === victim.url));
    // The victim's whole slice is accounted for: each planned message invoked once, by the worker
    // before it died or by the coordinator as an unknown outcome.
    const sends = ops.filter((o): o is SendOp => o.f === "send");
    const invoked = new Map<string, number>();
    for (const o of sends.filter((s) => s.type === "invoke" && s.producer === 1))
      for (let q = o.from; q <= o.to; q++) invoked.set(`${q}`, (invoked.get(`${q}`) ?? 0) + 1);
    const plan = new SlicedSchedule(scenario.workload, scenario.seed, { index: 1, count: 3 });
    let planned = 0;
    for (let m = plan.next(); m !== undefined; m = plan.next()) {
      planned++;
      assert.equal(invoked.get(`${m.seq}`), 1, `producer 1 seq ${m.seq}`);
    }
    assert.equal(invoked.size, planned);
    const unknown = sends.filter((s) => s.type === "info" && /lost: outcome unknown/.test(s.error ?? ""));
    assert.ok(unknown.length > 0);
    assert.ok(results.delivery.indeterminate >= unknown.reduce((s, o) => s + o.to - o.from + 1, 0));
  } finally {
    await victim.stop();
  }
});
