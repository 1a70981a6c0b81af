/**
 * A recorded trace replayed from two `faultbench worker` processes: the trace file is read on the
 * coordinator and travels with the prepare request, each worker sends its slice, and the union is
 * the single-process plan: the same messages (the seeded schedule gives each its trace time).
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { SendOp } from "../../../harness/history/op.ts";
import { readHistory } from "../../../harness/history/reader.ts";
import { runScenario } from "../../../harness/run/run-scenario.ts";
import { scenarioFromText } from "../../../harness/scenario/load.ts";
import { startWorker, type WorkerProcess } from "../../helpers/worker-process.ts";

const root = join(import.meta.dirname, "../../..");
const out = mkdtempSync(join(tmpdir(), "fb-remote-trace-"));
const workers: WorkerProcess[] = [];
before(async () => {
  workers.push(...(await Promise.all([startWorker(), startWorker()])));
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  rmSync(out, { recursive: true, force: true });
});

// 1 s of 100 rows/s with keys and sizes, then 0.5 s of 400 rows/s; looped over a 2 s window.
const rows = ["t,key,size"];
for (let i = 0; i < 100; i++) rows.push(`${i * 10},k${i % 7},${80 + (i % 5) * 10}`);
for (let i = 0; i < 200; i++) rows.push(`${1000 + i * 2.5},b${i % 3},200`);
writeFileSync(join(out, "shape.csv"), `${rows.join("\n")}\n`);
const yaml = `
name: remote-trace
seed: 7
engine: agent
topology:
  agents:
    a1:
      channel: { type: memory, capacity: 100000, transactionCapacity: 1000 }
      sinks: [collector]
workload:
  trace: { file: shape.csv, speed: 1, loop: true }
  producers: 4
  warmup: 0s
  duration: 2s
  drain: 2s
`;

/** Every message invoked, as producer:seq. */
async function sends(runDir: string): Promise<Set<string>> {
  const m = new Set<string>();
  for (const op of await readHistory(join(runDir, "history.ndjson")))
    if (op.f === "send" && op.type === "invoke") {
      const s = op as SendOp;
      const seqs = s.seqs ?? Array.from({ length: s.to - s.from + 1 }, (_, i) => s.from + i);
      for (const seq of seqs) m.add(`${s.producer}:${seq}`);
    }
  return m;
}

test("a trace replays from remote workers exactly as from one process", async () => {
  const scenario = scenarioFromText(yaml, join(out, "remote-trace.yaml"));
  const local = await runScenario({ scenario, outDir: out, projectRoot: root });
  assert.equal(local.results.status, "passed", JSON.stringify(local.results.checks));
  const remote = await runScenario({
    scenario,
    outDir: out,
    projectRoot: root,
    remoteWorkers: { urls: workers.map((w) => w.url) },
  });
  assert.equal(
    remote.results.status,
    "passed",
    JSON.stringify(remote.results.error ?? remote.results.checks),
  );
  const a = await sends(local.runDir);
  const b = await sends(remote.runDir);
  // 2 s of a 1.5 s pass: 300 rows, then the first 0.5 s of the next pass (50 rows): 350 messages.
  assert.equal(a.size, 350);
  assert.deepEqual([...b].sort(), [...a].sort());
  assert.equal(remote.results.delivery.lost, 0);
  assert.equal(remote.results.delivery.delivered, 350);
  assert.equal(remote.results.distributed?.workers.length, 2);
});
