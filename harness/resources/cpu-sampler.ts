/**
 * Samples the CPU used by every process of a run — the harness itself, each client process
 * (consumers, load workers), the fault proxy and each engine node — once a second from /proc, so a
 * run can tell whether the engine or the load path ran out of CPU first. The sampler only collects;
 * `summarizeResources` turns the samples into figures.
 */

import { cpus } from "node:os";
import { readMachineCpu, readProcessCpu } from "./proc-stat.ts";

export type ProcessRole = "harness" | "client" | "proxy" | "engine";

export interface SampledProcess {
  name: string;
  role: ProcessRole;
  pid: number;
}

/** CPU used by one process over one interval, in cores (1 = one core busy for the whole interval). */
export interface CpuSample {
  /** End of the interval, seconds since the load started. */
  tS: number;
  /** Length of the interval, seconds. */
  dtS: number;
  name: string;
  role: ProcessRole;
  cores: number;
}

/** The machine as a whole over one interval: cores busy out of `cores`. */
export interface MachineSample {
  tS: number;
  dtS: number;
  busyCores: number;
}

/** Which part of a run a supervised node is, from its name (the harness names them). */
export function roleOf(node: string): ProcessRole {
  if (node === "proxy") return "proxy";
  if (/^(consumer|worker)-/.test(node)) return "client";
  return "engine";
}

export interface CpuSamplerOptions {
  /** The processes to sample now (nodes come and go: restarts change pids). */
  processes: () => SampledProcess[];
  /** Seconds since the load started. */
  nowS: () => number;
  intervalMs?: number;
}

export class CpuSampler {
  readonly samples: CpuSample[] = [];
  readonly machine: MachineSample[] = [];
  readonly cores = cpus().length;
  private last = new Map<string, { pid: number; cpuS: number; tS: number }>();
  private lastMachine: { busy: number; total: number; tS: number } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: CpuSamplerOptions) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Takes a last sample and stops. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  private sample(): void {
    const tS = this.o.nowS();
    for (const p of this.o.processes()) {
      const cpuS = readProcessCpu(p.pid);
      if (cpuS === undefined) continue;
      const prev = this.last.get(p.name);
      this.last.set(p.name, { pid: p.pid, cpuS, tS });
      // A restarted node has a new pid: its first reading is only a baseline.
      if (!prev || prev.pid !== p.pid) continue;
      const dtS = tS - prev.tS;
      if (dtS < 0.05) continue;
      this.samples.push({
        tS,
        dtS,
        name: p.name,
        role: p.role,
        cores: Math.max(0, (cpuS - prev.cpuS) / dtS),
      });
    }
    const m = readMachineCpu();
    if (m) {
      const prev = this.lastMachine;
      this.lastMachine = { ...m, tS };
      if (prev && m.total > prev.total) {
        const share = (m.busy - prev.busy) / (m.total - prev.total);
        this.machine.push({ tS, dtS: tS - prev.tS, busyCores: share * this.cores });
      }
    }
  }
}
