/**
 * Side by side: two runs of one scenario, baseline and candidate, on shared axes (each chart draws
 * both runs, the candidate dashed), headed by the differences of the key numbers — what a reviewer
 * of a suspected regression reads first. A difference is called better or worse only past a noise
 * margin (5% for rates and latencies); any change in a loss or duplicate count counts.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Results } from "../harness/results/types.ts";
import { banner, runCharts } from "./build-report.ts";
import { delta, int, ms, rate, recovery } from "./format.ts";
import { chartFigure, escapeHtml, page } from "./html.ts";
import { loadRun, type RunData } from "./run-data.ts";

/** Which way is better for a figure, and how big a relative change is noise. */
type Better = "higher" | "lower";

export interface DiffRow {
  label: string;
  base: number | null;
  cand: number | null;
  fmt: (n: number) => string;
  better: Better;
  /** Relative change below this is not called better or worse; 0 = any change counts. */
  noise: number;
  /** Nor is an absolute change below this (1 ms of recovery is timer resolution, not a regression). */
  floor: number;
}

export function diffRows(b: Results, c: Results): DiffRow[] {
  const rows: DiffRow[] = [];
  const add = (
    label: string,
    get: (r: Results) => number | null,
    fmt: (n: number) => string,
    better: Better,
    noise: number,
    floor = 0,
  ) => rows.push({ label, base: get(b), cand: get(c), fmt, better, noise, floor });
  add("throughput offered", (r) => r.throughput.offeredPerSec, rate, "higher", 0.05);
  add("throughput acked", (r) => r.throughput.ackedPerSec, rate, "higher", 0.05);
  add("throughput delivered", (r) => r.throughput.deliveredPerSec, rate, "higher", 0.05);
  for (const [name, key] of [
    ["publish", "publish"],
    ["end to end", "endToEnd"],
  ] as const) {
    for (const p of ["p50", "p99", "max"] as const)
      add(`${name} ${p} (from intended send)`, (r) => r.latency[key].corrected[p], ms, "lower", 0.05, 0.1);
  }
  add("end to end p99 (from actual send)", (r) => r.latency.endToEnd.p99, ms, "lower", 0.05, 0.1);
  for (const k of ["acked", "failed", "indeterminate", "delivered"] as const)
    add(
      `delivery ${k}`,
      (r) => r.delivery[k],
      int,
      k === "acked" || k === "delivered" ? "higher" : "lower",
      0.05,
    );
  for (const k of ["lost", "duplicated", "unexpected", "recovered"] as const)
    add(`delivery ${k}`, (r) => r.delivery[k], int, k === "recovered" ? "higher" : "lower", 0);
  // Faults are matched by name: the same scenario injects the same faults.
  const names = [...new Set([...b.faults, ...c.faults].map((f) => f.name))];
  for (const n of names) {
    const fb = b.faults.find((f) => f.name === n);
    const fc = c.faults.find((f) => f.name === n);
    rows.push({
      label: `fault ${n}: unavailable`,
      base: fb?.unavailableMs ?? null,
      cand: fc?.unavailableMs ?? null,
      fmt: ms,
      better: "lower",
      noise: 0.1,
      floor: 50,
    });
    rows.push({
      label: `fault ${n}: recovery`,
      base: fb ? fb.recoveryMs : null,
      cand: fc ? fc.recoveryMs : null,
      fmt: ms,
      better: "lower",
      noise: 0.1,
      floor: 50,
    });
  }
  return rows;
}

/** "better", "worse" or "" (same within the noise margin, or not comparable). */
export function judge(row: DiffRow): "better" | "worse" | "" {
  const { base, cand } = row;
  if (base === null || cand === null || base === cand) return "";
  const rel = base === 0 ? Number.POSITIVE_INFINITY : Math.abs(cand - base) / Math.abs(base);
  if (rel <= row.noise || Math.abs(cand - base) < row.floor) return "";
  const up = cand > base;
  return (row.better === "higher") === up ? "better" : "worse";
}

function shown(row: DiffRow, v: number | null): string {
  // A fault row with null means "never recovered" when the fault exists.
  if (v === null) return row.label.endsWith("recovery") ? recovery(null) : "—";
  return row.fmt(v);
}

export function compareHtml(base: RunData, cand: RunData): string {
  const b = base.results;
  const c = cand.results;
  const rows = diffRows(b, c)
    .map((row) => {
      const j = judge(row);
      return `<tr><th>${escapeHtml(row.label)}</th><td class="num">${escapeHtml(shown(row, row.base))}</td><td class="num">${escapeHtml(shown(row, row.cand))}</td><td class="num ${j}">${escapeHtml(delta(row.base, row.cand, row.fmt))}</td><td class="${j}">${j}</td></tr>`;
    })
    .join("\n");
  const sameScenario = b.scenario === c.scenario;
  const charts = runCharts(
    [
      { label: "baseline", results: b },
      { label: "candidate", results: c },
    ],
    "cmp",
  );
  const who = (r: Results, d: RunData) =>
    `${escapeHtml(r.scenario)} · ${escapeHtml(r.status)} · started ${escapeHtml(r.startedAt)} · commit ${escapeHtml(r.environment?.gitCommit ?? "unknown")} · seed ${escapeHtml(r.seed)}<br><span class="meta">${escapeHtml(d.dir)}</span>`;
  const body = `
<header><h1>faultbench comparison: ${escapeHtml(c.scenario)}</h1></header>
${sameScenario ? "" : `<div class="banner errored"><div class="verdict">Different scenarios</div><div class="why">The baseline ran ${escapeHtml(b.scenario)} and the candidate ${escapeHtml(c.scenario)}; the differences below compare unlike runs.</div></div>`}
<table><tr><th>baseline</th><td>${who(b, base)}</td></tr><tr><th>candidate</th><td>${who(c, cand)}</td></tr></table>
<h2>Verdicts</h2>
<div class="grid"><div><h3>baseline</h3>${banner(b)}</div><div><h3>candidate</h3>${banner(c)}</div></div>
<h2>Key numbers: candidate against baseline</h2>
<p class="note">Better or worse is called past a noise margin: 5% for rates and latencies, 10% and 50 ms for fault times, any change in lost, duplicated, unexpected or recovered counts.</p>
<table class="diff"><thead><tr><th></th><th class="num">baseline</th><th class="num">candidate</th><th class="num">difference</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Charts (shared axes; baseline solid, candidate dashed)</h2>
<div class="charts">${charts.map(chartFigure).join("\n")}</div>
`;
  return page({ title: `compare ${c.scenario}: baseline vs candidate — faultbench`, body, charts });
}

/** Writes the comparison (default: compare.html in the candidate's run directory); returns its path. */
export async function writeCompare(
  baseDir: string,
  candDir: string,
  opts: { out?: string } = {},
): Promise<string> {
  const [base, cand] = await Promise.all([loadRun(baseDir), loadRun(candDir)]);
  const out = opts.out ?? join(candDir, "compare.html");
  writeFileSync(out, compareHtml(base, cand));
  return out;
}
