import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type PlannedMessage, Schedule } from "../../../harness/generator/schedule.ts";
import type { SendOp } from "../../../harness/history/op.ts";
import { readHistory } from "../../../harness/history/reader.ts";
import { runScenario } from "../../../harness/run/run-scenario.ts";
import { scenarioFromObject } from "../../../harness/scenario/load.ts";

const root = join(import.meta.dirname, "../../..");
const out = mkdtempSync(join(tmpdir(), "fb-workers-"));
after(() => rmSync(out, { recursive: true, force: true }));

test("three load workers send exactly the single-process plan, merged into one history", async () => {
  const scenario = scenarioFromObject(
    {
      name: "workers-split",
      seed: 9,
      engine: "agent",
      topology: {
        agents: {
          a1: {
            channel: { type: "memory", capacity: 20000, transactionCapacity: 1000 },
            sinks: ["collector"],
          },
        },
      },
      workload: {
        rate: "1500/s",
        arrival: "poisson",
        producers: 5,
        keys: 11,
        workers: 3,
        batchSize: 20,
        warmup: "300ms",
        duration: "1200ms",
        drain: "3s",
      },
    },
    "workers-split.yaml",
  );
  const { runDir, results } = await runScenario({ scenario, outDir: out, projectRoot: root });
  assert.equal(results.status, "passed", JSON.stringify(results.checks));
  assert.equal(results.delivery.lost, 0);
  assert.equal(results.delivery.unexpected, 0);

  // The union of what the workers invoked is the whole plan, each message exactly once.
  const plan = new Schedule(scenario.workload, scenario.seed);
  const planned = new Set<string>();
  for (let m = plan.next(); m !== undefined; m = plan.next())
    planned.add(`${m.producer}.${(m as PlannedMessage).seq}`);
  const ops = await readHistory(join(runDir, "history.ndjson"));
  const invokes = ops.filter((o): o is SendOp => o.f === "send" && o.type === "invoke");
  const sent: string[] = invokes.flatMap((o) =>
    Array.from({ length: o.to - o.from + 1 }, (_, k) => `${o.producer}.${o.from + k}`),
  );
  assert.equal(sent.length, planned.size);
  assert.deepEqual(new Set(sent), planned);
  assert.equal(
    new Set(invokes.map((o) => o.req)).size,
    invokes.length,
    "request ids are unique across workers",
  );
  assert.equal(results.delivery.attempted, planned.size);

  // The merged history is in time order after the start op.
  const loadOps = ops.filter((o) => o.t > 0);
  for (let i = 1; i < loadOps.length; i++)
    assert.ok((loadOps[i]?.t as number) >= (loadOps[i - 1]?.t as number), `op ${i} is out of time order`);

  // The workers are sampled as client processes.
  const names = results.resources?.processes.filter((p) => p.role === "client").map((p) => p.name);
  assert.deepEqual(names, ["worker-1", "worker-2", "worker-3"]);
});

test("more workers than producers is a scenario error naming the field", () => {
  assert.throws(
    () =>
      scenarioFromObject(
        {
          name: "x",
          engine: "agent",
          topology: { agents: { a1: { channel: { type: "memory" }, sinks: ["collector"] } } },
          workload: { rate: "100/s", producers: 2, workers: 3, duration: "1s" },
        },
        "x.yaml",
      ),
    /workload\.workers: 3 workers need at least 3 producers/,
  );
});
