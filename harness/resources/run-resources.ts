/**
 * The resources step of a run: a CPU sampler over the harness process and every supervised node,
 * started when the load starts, and the figures plus the harness-bound verdict at the end.
 */

import type { ProcessCpu, Resources } from "../results/types.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";
import { assessBottleneck, type LoadFacts } from "./bottleneck.ts";
import { CpuSampler, roleOf, type SampledProcess } from "./cpu-sampler.ts";
import { summarizeResources } from "./summarize.ts";

export function runSampler(supervisor: Supervisor, nowS: () => number, intervalMs = 1000): CpuSampler {
  return new CpuSampler({
    nowS,
    intervalMs,
    processes: () => {
      const out: SampledProcess[] = [{ name: "harness", role: "harness", pid: process.pid }];
      for (const [name, node] of supervisor.nodes) {
        if (node.pid !== undefined && node.state !== "stopped")
          out.push({ name, role: roleOf(name), pid: node.pid });
      }
      return out;
    },
  });
}

/**
 * The `resources` block of results.json for a run's samples, window and load figures. `remote` are
 * load-path processes on other hosts (remote workers), which /proc here cannot see: they count
 * for the harness-bound verdict but not for this machine's busy figure.
 */
export function resourcesOf(
  sampler: CpuSampler,
  window: { fromS: number; toS: number },
  load: LoadFacts,
  remote: readonly ProcessCpu[] = [],
): Resources {
  const f = summarizeResources(sampler.samples, sampler.machine, window);
  const processes = [...f.processes, ...remote];
  const v = assessBottleneck(load, processes, { busyCores: f.machineBusyCores, cores: sampler.cores });
  return {
    cores: sampler.cores,
    processes,
    series: f.series,
    machineBusyPct:
      f.machineBusyCores === null ? null : Math.round((f.machineBusyCores / sampler.cores) * 1000) / 10,
    harnessBound: v.harnessBound,
    reasons: v.reasons,
    notes: v.notes,
  };
}
