import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { SendOp } from "../../../harness/history/op.ts";
import { readHistory } from "../../../harness/history/reader.ts";
import { runScenario } from "../../../harness/run/run-scenario.ts";
import { scenarioFromObject } from "../../../harness/scenario/load.ts";
import { plannedBatches } from "../../../harness/workers/autocannon-load.ts";

const root = join(import.meta.dirname, "../../..");
const out = mkdtempSync(join(tmpdir(), "fb-autocannon-"));
after(() => rmSync(out, { recursive: true, force: true }));

const doc = (engine: "agent" | "log", extra: Record<string, unknown> = {}) => ({
  name: "ac",
  seed: 4,
  engine,
  topology:
    engine === "agent"
      ? {
          agents: {
            a1: {
              channel: { type: "memory", capacity: 20000, transactionCapacity: 1000 },
              sinks: ["collector"],
            },
          },
        }
      : {},
  workload: {
    rate: "600/s",
    producers: 3,
    batchSize: 25,
    keys: 5,
    warmup: "300ms",
    duration: "1s",
    drain: "3s",
    generator: "autocannon",
    ...extra,
  },
});

test("the plan cut into batches: each one producer's consecutive messages, all of them once", () => {
  const s = scenarioFromObject(doc("agent"), "ac.yaml");
  const batches = plannedBatches(s);
  const total = batches.reduce((a, b) => a + b.messages.length, 0);
  assert.equal(total, 780);
  for (const b of batches) {
    assert.ok(b.messages.length <= 25);
    b.messages.forEach((m, i) => {
      assert.equal(m.producer, b.producer);
      if (i > 0) assert.equal(m.seq, (b.messages[i - 1]?.seq as number) + 1);
    });
  }
});

test("autocannon drives the agent's HTTP source: every planned message sent, delivered, accounted", async () => {
  const scenario = scenarioFromObject(doc("agent"), "ac.yaml");
  const { runDir, results } = await runScenario({ scenario, outDir: out, projectRoot: root });
  assert.notEqual(results.status, "errored", results.error?.message);
  assert.equal(results.delivery.attempted, 780);
  assert.equal(results.delivery.lost, 0);
  assert.equal(results.delivery.unexpected, 0);
  const ops = await readHistory(join(runDir, "history.ndjson"));
  const invokes = ops.filter((o): o is SendOp => o.f === "send" && o.type === "invoke");
  assert.equal(new Set(invokes.map((o) => o.req)).size, invokes.length);
});

test("autocannon is for HTTP targets only", () => {
  assert.throws(
    () => scenarioFromObject(doc("log"), "ac.yaml"),
    /workload.generator: applies to the agent, flume engines only/,
  );
});
