/**
 * From raw CPU samples to the `resources` figures of results.json: per process its total CPU
 * seconds and its mean and peak cores in the measured window, and a per-second series summed by
 * role. Pure; the judgement of who the bottleneck was lives in bottleneck.ts.
 */

import type { ProcessCpu, ResourceRow } from "../results/types.ts";
import type { CpuSample, MachineSample } from "./cpu-sampler.ts";

export interface ResourceFigures {
  processes: ProcessCpu[];
  series: ResourceRow[];
  machineBusyCores: number | null;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** A sample counts towards the window when most of its interval lies inside it. */
function inWindow(s: { tS: number; dtS: number }, fromS: number, toS: number): boolean {
  const mid = s.tS - s.dtS / 2;
  return mid >= fromS && mid < toS;
}

export function summarizeResources(
  samples: readonly CpuSample[],
  machine: readonly MachineSample[],
  window: { fromS: number; toS: number },
): ResourceFigures {
  const byName = new Map<string, CpuSample[]>();
  for (const s of samples) {
    const list = byName.get(s.name) ?? [];
    list.push(s);
    byName.set(s.name, list);
  }
  const processes: ProcessCpu[] = [];
  for (const [name, list] of byName) {
    const inside = list.filter((s) => inWindow(s, window.fromS, window.toS));
    const span = inside.reduce((a, s) => a + s.dtS, 0);
    const used = inside.reduce((a, s) => a + s.cores * s.dtS, 0);
    processes.push({
      name,
      role: (list[0] as CpuSample).role,
      cpuSeconds: r3(list.reduce((a, s) => a + s.cores * s.dtS, 0)),
      meanCores: span > 0 ? r3(used / span) : 0,
      peakCores: r3(Math.max(0, ...inside.map((s) => s.cores))),
    });
  }
  const order = { harness: 0, client: 1, proxy: 2, engine: 3 };
  processes.sort((a, b) => order[a.role] - order[b.role] || a.name.localeCompare(b.name));

  const rows = new Map<number, ResourceRow>();
  const row = (tS: number, dtS: number) => {
    const t = Math.max(0, Math.floor(tS - dtS / 2));
    let r = rows.get(t);
    if (!r) {
      r = { t, harness: 0, clients: 0, proxy: 0, engines: 0, machine: null };
      rows.set(t, r);
    }
    return r;
  };
  const key = { harness: "harness", client: "clients", proxy: "proxy", engine: "engines" } as const;
  for (const s of samples) {
    const r = row(s.tS, s.dtS);
    r[key[s.role]] = r3(r[key[s.role]] + s.cores);
  }
  for (const m of machine) row(m.tS, m.dtS).machine = r3(m.busyCores);
  const series = [...rows.values()].sort((a, b) => a.t - b.t);

  const mIn = machine.filter((m) => inWindow(m, window.fromS, window.toS));
  const mSpan = mIn.reduce((a, m) => a + m.dtS, 0);
  return {
    processes,
    series,
    machineBusyCores: mSpan > 0 ? r3(mIn.reduce((a, m) => a + m.busyCores * m.dtS, 0) / mSpan) : null,
  };
}
