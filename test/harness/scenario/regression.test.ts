import assert from "node:assert/strict";
import { test } from "node:test";
import { isFaultbenchError } from "../../../harness/errors.ts";
import { scenarioFromText } from "../../../harness/scenario/load.ts";

const base = `name: r
engine: agent
topology: { agents: { a1: { channel: { type: memory }, sinks: [c] } }, collectors: { c: {} } }
workload: { rate: 100/s, duration: 2s }
faults: [{ name: k, kind: kill, node: a1, at: 1s }]
`;

test("regression thresholds: results paths with a signed percentage", () => {
  const s = scenarioFromText(
    `${base}regression: { throughput.ackedPerSec: -5%, latency.endToEnd.corrected.p99: "+10%", faults.k.recoveryMs: +25% }\n`,
    "r.yaml",
  );
  assert.deepEqual(s.regression, {
    "throughput.ackedPerSec": "-5%",
    "latency.endToEnd.corrected.p99": "+10%",
    "faults.k.recoveryMs": "+25%",
  });
});

test("a bad threshold or path names the field and the fix", () => {
  assert.throws(
    () =>
      scenarioFromText(
        `${base}regression: { throughput.acked: -5%, latency.publish.p99: 10, faults.x.recoveryMs: +1% }\n`,
        "r.yaml",
      ),
    (e) => {
      assert.ok(isFaultbenchError(e) && e.code === "FB_SCENARIO_INVALID");
      const text = (e.context.problems ?? []).join("\n");
      assert.match(text, /regression\.throughput\.acked: unknown results path/);
      assert.match(text, /regression\.latency\.publish\.p99: 10 is not a threshold; .*e\.g\. \+10%/);
      assert.match(text, /regression\.faults\.x\.recoveryMs: no fault named "x"/);
      return true;
    },
  );
});
