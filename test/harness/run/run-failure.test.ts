import assert from "node:assert/strict";
import { test } from "node:test";
import { RunFailure } from "../../../harness/run/run-failure.ts";

test("the first failure wins and wakes every race", async () => {
  const f = new RunFailure();
  assert.equal(f.broken, false);
  const never = new Promise<void>(() => {});
  const raced = f.race(never);
  f.fail(new Error("first"));
  f.fail(new Error("second"));
  await assert.rejects(raced, /first/);
  assert.equal((f.cause as Error).message, "first");
  await assert.rejects(f.race(never), /first/, "a step started after the failure gives up at once");
});
