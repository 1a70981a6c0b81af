import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessBottleneck } from "../../../harness/resources/bottleneck.ts";
import type { ProcessCpu } from "../../../harness/results/types.ts";

const proc = (name: string, role: ProcessCpu["role"], meanCores: number): ProcessCpu => ({
  name,
  role,
  meanCores,
  peakCores: meanCores,
  cpuSeconds: meanCores * 10,
});
const steady = { offeredPerSec: 10_000, sentPerSec: 10_000, heldByInFlight: 0, lateTicks: 0 };
const idleMachine = { busyCores: 0.5, cores: 2 };

describe("harness-bound verdict", () => {
  test("a pinned harness with an idle engine is harness-bound, and says who", () => {
    const v = assessBottleneck(
      steady,
      [proc("harness", "harness", 0.97), proc("broker-1", "engine", 0.2)],
      idleMachine,
    );
    assert.equal(v.harnessBound, true);
    assert.match(
      v.reasons[0] ?? "",
      /harness process used 97% of a core while the busiest engine node \(broker-1\) used 20%/,
    );
  });

  test("a saturated engine is the bottleneck even when the harness is busy too", () => {
    const v = assessBottleneck(
      steady,
      [proc("harness", "harness", 0.95), proc("broker-1", "engine", 0.99)],
      idleMachine,
    );
    assert.equal(v.harnessBound, false);
    assert.equal(v.notes.length, 1);
  });

  test("a consumer process pinned while the engine idles counts as the load path", () => {
    const v = assessBottleneck(
      steady,
      [proc("consumer-1", "client", 0.93), proc("a1", "engine", 0.3)],
      idleMachine,
    );
    assert.equal(v.harnessBound, true);
    assert.match(v.reasons[0] ?? "", /client consumer-1/);
  });

  test("sent below offered without push-back: the generator fell behind", () => {
    const v = assessBottleneck(
      { ...steady, sentPerSec: 8000, lateTicks: 12 },
      [proc("broker-1", "engine", 0.4)],
      idleMachine,
    );
    assert.equal(v.harnessBound, true);
    assert.match(v.reasons[0] ?? "", /sent 8,000\/s of the 10,000\/s offered .*12 generator ticks/);
  });

  test("sent below offered because producers hit maxInFlight is the engine pushing back", () => {
    const v = assessBottleneck(
      { ...steady, sentPerSec: 8000, heldByInFlight: 40 },
      [proc("broker-1", "engine", 0.4)],
      idleMachine,
    );
    assert.equal(v.harnessBound, false);
    assert.match(v.notes[0] ?? "", /engine pushed back/);
  });

  test("a busy machine is noted, not blamed on either side", () => {
    const v = assessBottleneck(steady, [proc("harness", "harness", 0.5)], { busyCores: 1.9, cores: 2 });
    assert.equal(v.harnessBound, false);
    assert.match(v.notes[0] ?? "", /95% busy/);
  });

  test("a mostly busy machine where the load path used as much CPU as the engine says the figure is the pair's", () => {
    // The 3-broker cluster at 4,000/s: consumers 0.49, proxy 0.19, harness 0.16; brokers 0.87.
    const procs = [
      proc("harness", "harness", 0.16),
      proc("consumer-1", "client", 0.5),
      proc("proxy", "proxy", 0.3),
      proc("broker-1", "engine", 0.3),
      proc("broker-2", "engine", 0.3),
      proc("broker-3", "engine", 0.3),
    ];
    const v = assessBottleneck(steady, procs, { busyCores: 1.75, cores: 2 });
    assert.equal(v.harnessBound, false);
    assert.match(v.notes.join(" "), /load path .* used 0\.96 cores and the engine 0\.90 .* the pair's/);
    // Less busy, or an engine that used more than the load path: no such note.
    assert.equal(assessBottleneck(steady, procs, { busyCores: 1.2, cores: 2 }).notes.length, 0);
    const heavyEngine = [...procs.slice(0, 3), proc("broker-1", "engine", 1.2)];
    assert.equal(assessBottleneck(steady, heavyEngine, { busyCores: 1.75, cores: 2 }).notes.length, 0);
  });
});
