import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CpuSample } from "../../../harness/resources/cpu-sampler.ts";
import { roleOf } from "../../../harness/resources/cpu-sampler.ts";
import { summarizeResources } from "../../../harness/resources/summarize.ts";

const s = (tS: number, name: string, role: CpuSample["role"], cores: number): CpuSample => ({
  tS,
  dtS: 1,
  name,
  role,
  cores,
});

describe("resource figures", () => {
  test("mean and peak over the measured window, totals over everything, series by role", () => {
    const samples = [
      s(1, "harness", "harness", 0.2),
      s(2, "harness", "harness", 0.6),
      s(3, "harness", "harness", 0.8),
      s(4, "harness", "harness", 0.1),
      s(2, "broker-1", "engine", 0.5),
      s(3, "broker-1", "engine", 0.3),
      s(3, "consumer-1", "client", 0.25),
    ];
    const f = summarizeResources(samples, [{ tS: 2, dtS: 1, busyCores: 1.5 }], { fromS: 1, toS: 3 });
    const h = f.processes.find((p) => p.name === "harness");
    assert.deepEqual(h, {
      name: "harness",
      role: "harness",
      cpuSeconds: 1.7,
      meanCores: 0.7,
      peakCores: 0.8,
    });
    assert.deepEqual(
      f.processes.map((p) => p.name),
      ["harness", "consumer-1", "broker-1"],
    );
    const row2 = f.series.find((r) => r.t === 2);
    assert.deepEqual(row2, { t: 2, harness: 0.8, clients: 0.25, proxy: 0, engines: 0.3, machine: null });
    assert.equal(f.series.find((r) => r.t === 1)?.machine, 1.5);
    assert.equal(f.machineBusyCores, 1.5);
  });

  test("node names map to roles", () => {
    assert.equal(roleOf("proxy"), "proxy");
    assert.equal(roleOf("consumer-2"), "client");
    assert.equal(roleOf("worker-1"), "client");
    assert.equal(roleOf("broker-1"), "engine");
    assert.equal(roleOf("a1"), "engine");
  });
});
