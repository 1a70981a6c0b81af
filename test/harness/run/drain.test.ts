import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { drain } from "../../../harness/run/drain.ts";

test("drain ends as soon as nothing is awaited", async () => {
  let awaiting = 3;
  setTimeout(() => {
    awaiting = 0;
  }, 30);
  const t = performance.now();
  await drain({ nemeses: [], settled: async () => {}, awaiting: () => awaiting, drainMs: 5000, pollMs: 5 });
  assert.ok(performance.now() - t < 1000);
});

test("drain gives up after drainMs, counted from the last heal when that is later", async () => {
  const heal = new Promise<void>((r) => setTimeout(r, 100));
  const t = performance.now();
  await drain({
    nemeses: [{ idle: () => heal }],
    settled: async () => {},
    awaiting: () => 1,
    drainMs: 60,
    pollMs: 5,
  });
  const took = performance.now() - t;
  assert.ok(took >= 155 && took < 1000, `took ${took} ms`);
});
