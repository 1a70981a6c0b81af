import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { judge, parseSlo } from "../../../harness/capacity/slo.ts";
import type { Results } from "../../../harness/results/types.ts";

function results(p99: number, offered: number, acked: number, lost = 0): Results {
  const pct = { count: 10, mean: 1, p50: 1, p90: 1, p99, p999: p99, max: p99 };
  return {
    throughput: { offeredPerSec: offered, sentPerSec: offered, ackedPerSec: acked, deliveredPerSec: acked },
    latency: { publish: { ...pct, corrected: pct }, endToEnd: { ...pct, corrected: pct } },
    delivery: { lost },
  } as unknown as Results;
}

describe("SLOs", () => {
  test("parse like expectations, in the units results.json uses", () => {
    const s = parseSlo("latency.endToEnd.corrected.p99 < 50ms");
    assert.deepEqual([s.path, s.op, s.value], ["latency.endToEnd.corrected.p99", "<", 50]);
    assert.equal(parseSlo("delivery.lost == 0").value, 0);
    assert.equal(parseSlo("latency.publish.p99<=0.2s").value, 200);
  });

  test("a bad path or expression is a usage error with the fix", () => {
    assert.throws(() => parseSlo("latency.e2e.p99 < 50ms"), /unknown results path/);
    assert.throws(() => parseSlo("p99 50ms"), /write a results path, a comparison and a value/);
  });

  test("a step is judged on every SLO and on keeping up with the offered load", () => {
    const slos = [parseSlo("latency.endToEnd.corrected.p99 < 50ms"), parseSlo("delivery.lost == 0")];
    assert.ok(judge(results(20, 1000, 1000), slos).every((c) => c.valid === true));
    const slow = judge(results(80, 1000, 1000), slos);
    assert.equal(slow.find((c) => c.name.includes("p99"))?.valid, false);
    const behind = judge(results(20, 1000, 800), slos);
    assert.equal(behind.find((c) => c.name === "keeps up")?.valid, false);
  });
});
