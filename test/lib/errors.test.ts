import assert from "node:assert/strict";
import { test } from "node:test";
import { exitCodeFor, FaultbenchError, isFaultbenchError } from "../../lib/errors.ts";

test("bad input maps to exit 2, broken runs to exit 3", () => {
  assert.equal(exitCodeFor(new FaultbenchError("FB_SCENARIO_INVALID", "x")), 2);
  assert.equal(exitCodeFor(new FaultbenchError("FB_USAGE", "x")), 2);
  assert.equal(exitCodeFor(new FaultbenchError("FB_ENGINE_START_TIMEOUT", "x")), 3);
  assert.equal(exitCodeFor(new Error("plain")), 3);
});

test("the brand survives without instanceof and keeps cause and context", () => {
  const cause = new Error("root");
  const e = new FaultbenchError("FB_ENGINE_CRASHED", "a1 died", { cause, context: { node: "a1", pid: 7 } });
  assert.ok(isFaultbenchError(e));
  assert.ok(!isFaultbenchError(new Error("x")));
  assert.ok(isFaultbenchError({ ...e, [Symbol.for("faultbench.error")]: true }));
  assert.equal(e.cause, cause);
  assert.equal(e.context.node, "a1");
});
