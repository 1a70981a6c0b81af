import assert from "node:assert/strict";
import { test } from "node:test";
import type { Op } from "../../../harness/history/op.ts";
import { RunClock } from "../../../harness/run/run-clock.ts";

const info = (t: number, f = "exit"): Op => ({ t, process: "supervisor", type: "info", f }) as unknown as Op;

test("setup ops are held until the load starts, then written after the start op at negative times", async () => {
  const written: Op[] = [];
  const clock = new RunClock({ append: (op) => written.push(op) });
  await new Promise((r) => setTimeout(r, 20));
  clock.record(info(clock.now()));
  assert.equal(written.length, 0);
  assert.equal(clock.started, false);
  await new Promise((r) => setTimeout(r, 10));
  clock.startLoad((epoch) => ({ ...info(0, "start"), epoch }) as unknown as Op);
  assert.equal(clock.started, true);
  assert.equal(written[0]?.f, "start");
  assert.ok(written[1] && written[1].t < -5000, `held op at ${written[1]?.t}µs`);
  clock.record(info(clock.now()));
  assert.ok((written[2]?.t ?? -1) >= 0);
  clock.flushSetup();
  assert.equal(written.length, 3, "nothing held is written twice");
});

test("a run that never starts its load keeps its setup ops at setup-relative times", () => {
  const written: Op[] = [];
  const clock = new RunClock({ append: (op) => written.push(op) });
  clock.record(info(1234));
  clock.flushSetup();
  assert.deepEqual(
    written.map((o) => o.t),
    [1234],
  );
});
