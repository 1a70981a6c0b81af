import assert from "node:assert/strict";
import { test } from "node:test";
import { startProgressTicker, type Tick } from "../../../harness/run/progress-ticker.ts";

test("each tick reports rates since the previous tick and what is in flight", async () => {
  const counters = {
    offered: 0,
    sent: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    inFlight: 0,
    heldByInFlight: 0,
    lateTicks: 0,
  };
  let delivered = 0;
  let now = 0;
  const ticks: Tick[] = [];
  const stop = startProgressTicker({
    counters: () => counters,
    delivered: () => delivered,
    now: () => now,
    onTick: (t) => ticks.push(t),
    intervalMs: 10,
  });
  counters.offered = 100;
  counters.acked = 50;
  counters.inFlight = 4;
  delivered = 25;
  now = 500_000;
  await new Promise((r) => setTimeout(r, 15));
  stop();
  await new Promise((r) => setTimeout(r, 25));
  assert.equal(ticks.length, 1, "stopped ticking");
  assert.deepEqual(ticks[0], {
    elapsedMs: 500,
    offeredPerSec: 200,
    ackedPerSec: 100,
    deliveredPerSec: 50,
    failedPerSec: 0,
    inFlight: 4,
  });
});
