/** The machine's floor probe: real round trips to an echo process, which is gone afterwards. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { loopbackRoundTrip } from "../../../bench/log-e2e/loopback-floor.ts";

test("loopback round trips: one sample per ping, ordered percentiles, no echo process left", async () => {
  const p = await loopbackRoundTrip(50, 0);
  assert.equal(p.count, 50);
  assert.ok(p.p50 > 0 && p.p50 <= p.p99 && p.p99 <= p.max, JSON.stringify(p));
  const left = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes("loopback-floor.ts echo"));
  assert.deepEqual(left, []);
});
