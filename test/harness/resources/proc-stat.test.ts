import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  parseMachineStat,
  parseProcStat,
  readMachineCpu,
  readProcessCpu,
} from "../../../harness/resources/proc-stat.ts";

describe("/proc parsing", () => {
  test("utime + stime of a process whose name holds spaces and parentheses", () => {
    const text = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 123 1000 50";
    assert.equal(parseProcStat(text), 3);
  });

  test("garbage reads as undefined", () => {
    assert.equal(parseProcStat("nonsense"), undefined);
    assert.equal(parseMachineStat("intr 1 2 3"), undefined);
  });

  test("the machine's busy and total seconds, iowait counted idle", () => {
    const m = parseMachineStat("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n");
    assert.deepEqual(m, { busy: 1.5, total: 10 });
  });

  test("this process's CPU time grows while it burns CPU", { skip: process.platform !== "linux" }, () => {
    const before = readProcessCpu(process.pid) as number;
    // Burn 200 ms of CPU (not of wall time: the machine may be shared).
    const start = process.cpuUsage();
    let x = 0;
    const used = () => {
      const u = process.cpuUsage(start);
      return u.user + u.system;
    };
    while (used() < 200_000) for (let k = 0; k < 10_000; k++) x += Math.sqrt(x + k);
    const after = readProcessCpu(process.pid) as number;
    assert.ok(after - before >= 0.15 && after - before < 0.6, `${before} → ${after}`);
    assert.ok(readMachineCpu());
    assert.equal(readProcessCpu(2 ** 22 + 7), undefined);
  });
});
