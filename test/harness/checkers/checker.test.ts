import assert from "node:assert/strict";
import { test } from "node:test";
import { type CheckContext, type Checker, runCheckers } from "../../../harness/checkers/checker.ts";

const ctx = {} as CheckContext;

test("runs every checker in order; one or several checks each", () => {
  const a: Checker = { name: "a", check: () => ({ name: "a", valid: true, detail: "" }) };
  const b: Checker = {
    name: "b",
    check: () => [
      { name: "b1", valid: false, detail: "" },
      { name: "b2", valid: true, detail: "" },
    ],
  };
  assert.deepEqual(
    runCheckers([a, b], [], ctx).map((c) => [c.name, c.valid]),
    [
      ["a", true],
      ["b1", false],
      ["b2", true],
    ],
  );
});

test("a checker that throws becomes one unknown check with the error, and the rest still run", () => {
  const boom: Checker = {
    name: "boom",
    check: () => {
      throw new Error("no idea");
    },
  };
  const ok: Checker = { name: "ok", check: () => ({ name: "ok", valid: true, detail: "" }) };
  const checks = runCheckers([boom, ok], [], ctx);
  assert.deepEqual(checks[0], { name: "boom", valid: "unknown", detail: "the checker failed: no idea" });
  assert.equal(checks[1]?.name, "ok");
});
