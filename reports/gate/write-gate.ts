/**
 * Writes everything a comparison produces into one folder: compare.md, junit.xml, benchmark.json
 * (+ benchmark-bigger.json), and compare.html — the gate's table, the merged-distribution shifts,
 * and for each scenario a link to the side-by-side page of a representative pair of runs (the
 * repeat nearest each side's median end-to-end p99), drawn by the existing comparison builder.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { RunSample } from "../../harness/baseline/sample-set.ts";
import type { Comparison, ScenarioComparison } from "../../harness/compare/compare.ts";
import { median } from "../../harness/stats/summary.ts";
import { writeCompare } from "../build-compare.ts";
import { ms } from "../format.ts";
import { escapeHtml, page } from "../html.ts";
import { benchmarkEntries } from "./benchmark-json.ts";
import { compareJunit } from "./junit.ts";
import { compareMarkdown } from "./markdown.ts";
import {
  intervalText,
  msInterval,
  orderedRows,
  pct,
  pText,
  signedMs,
  summaryLine,
  thresholdText,
  value,
} from "./rows.ts";

export interface GateFiles {
  html: string;
  markdown: string;
  junit: string;
  benchmark: string;
  benchmarkBigger: string;
}

/** The run whose end-to-end p99 is nearest the median of its side. */
export function representative(runs: readonly RunSample[]): RunSample | undefined {
  const ok = runs.filter((r) => r.results.status !== "errored");
  const list = ok.length > 0 ? ok : runs;
  const m = median(list.map((r) => r.results.latency.endToEnd.corrected.p99));
  return [...list].sort(
    (a, b) =>
      Math.abs(a.results.latency.endToEnd.corrected.p99 - m) -
      Math.abs(b.results.latency.endToEnd.corrected.p99 - m),
  )[0];
}

async function sideBySide(s: ScenarioComparison, outDir: string): Promise<string | null> {
  const b = representative(s.baseRuns);
  const c = representative(s.candRuns);
  if (!b || !c) return null;
  const file = join(outDir, `compare-${s.scenario.replace(/[^A-Za-z0-9._-]/g, "_")}.html`);
  try {
    await writeCompare(b.dir, c.dir, { out: file });
    return file;
  } catch {
    return null;
  }
}

function gateHtml(c: Comparison, links: Map<string, string>, outDir: string): string {
  const undecided = c.scenarios.some((s) => s.undecided.length > 0);
  const cls = c.exitCode === 1 ? "failed" : c.exitCode === 3 || undecided ? "errored" : "passed";
  const rows = orderedRows(c)
    .map((f) => {
      const v = f.verdict === "regression" ? "worse" : f.verdict === "improvement" ? "better" : "";
      return `<tr><td>${escapeHtml(f.scenario)}</td><th>${escapeHtml(f.spec.label)}<br><span class="meta">${escapeHtml(f.spec.path)}</span></th><td class="num">${escapeHtml(value(f, f.base.median))} <span class="meta">n=${f.base.n}</span></td><td class="num">${escapeHtml(value(f, f.cand.median))} <span class="meta">n=${f.cand.n}</span></td><td class="num ${v}">${escapeHtml(pct(f.change))}</td><td class="num">${escapeHtml(intervalText(f))}</td><td class="num">${escapeHtml(pText(f.p))}</td><td class="num">${escapeHtml(thresholdText(f))}${f.noiseCv === null ? "" : `<br><span class="meta">CV ${escapeHtml((f.noiseCv * 100).toFixed(1))}%</span>`}</td><td class="${v}" title="${escapeHtml(f.reason)}">${escapeHtml(f.verdict)}</td></tr>`;
    })
    .join("\n");
  const dist = c.scenarios
    .flatMap((s) => s.distribution)
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.scenario)}</td><td>${d.latency === "endToEnd" ? "end-to-end" : "publish"}</td><td class="num">p${d.percentile}</td><td class="num">${escapeHtml(ms(d.base))}</td><td class="num">${escapeHtml(ms(d.cand))}</td><td class="num">${d.base === null || d.cand === null ? "—" : escapeHtml(signedMs(d.cand - d.base))}</td><td class="num">${escapeHtml(msInterval(d.interval))}</td></tr>`,
    )
    .join("\n");
  const warnings = [
    ...c.warnings,
    ...c.scenarios.flatMap((s) => s.warnings.map((w) => `${s.scenario}: ${w}`)),
  ];
  const checks = c.scenarios.flatMap((s) =>
    s.newlyFailedChecks.map((k) => `${s.scenario}: ${k.name} — ${k.detail}`),
  );
  const linkList = c.scenarios
    .map((s) => {
      const l = links.get(s.scenario);
      return `<li>${escapeHtml(s.scenario)}: ${l ? `<a href="${escapeHtml(encodeURI(relative(outDir, l)))}">side by side (representative runs)</a>` : "no side-by-side page"}</li>`;
    })
    .join("");
  const body = `
<header><h1>faultbench regression gate</h1></header>
<div class="banner ${cls}"><div class="verdict">${escapeHtml(summaryLine(c))}</div><div class="why">exit code ${c.exitCode}; baseline ${escapeHtml(c.baseline.dir)} (commit ${escapeHtml(c.baseline.gitCommit ?? "unknown")}), candidate ${escapeHtml(c.candidate.dir)} (commit ${escapeHtml(c.candidate.gitCommit ?? "unknown")})</div></div>
${warnings.map((w) => `<p class="note">Warning: ${escapeHtml(w)}</p>`).join("\n")}
${checks.length > 0 ? `<h2>Checks that held in every baseline run and failed in the candidate</h2><ul>${checks.map((k) => `<li>${escapeHtml(k)}</li>`).join("")}</ul>` : ""}
<h2>Figures, worst first</h2>
<p class="note">A figure regresses when its median moved past the threshold in the worse direction and the Mann–Whitney test gives p &lt; ${escapeHtml(c.alpha)}. Intervals are the Hodges–Lehmann shift's, relative to the baseline median. Thresholds marked 2×CV were widened to twice the figure's measured coefficient of variation.</p>
<table class="diff"><thead><tr><th>scenario</th><th>figure</th><th class="num">baseline</th><th class="num">candidate</th><th class="num">change</th><th class="num">interval</th><th class="num">p</th><th class="num">threshold</th><th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Latency percentiles of the merged HDR histograms</h2>
<p class="note">Every repeat's histogram merged per side; 95% bootstrap intervals of the shift, resampling whole repeats.</p>
<table><thead><tr><th>scenario</th><th>latency</th><th class="num">percentile</th><th class="num">baseline</th><th class="num">candidate</th><th class="num">shift</th><th class="num">interval</th></tr></thead><tbody>
${dist}
</tbody></table>
<h2>Charts</h2><ul>${linkList}</ul>
`;
  return page({ title: `regression gate: ${summaryLine(c)} — faultbench`, body, charts: [] });
}

export async function writeGate(c: Comparison, outDir: string): Promise<GateFiles> {
  mkdirSync(outDir, { recursive: true });
  const links = new Map<string, string>();
  for (const s of c.scenarios) {
    const l = await sideBySide(s, outDir);
    if (l) links.set(s.scenario, l);
  }
  const files: GateFiles = {
    html: join(outDir, "compare.html"),
    markdown: join(outDir, "compare.md"),
    junit: join(outDir, "junit.xml"),
    benchmark: join(outDir, "benchmark.json"),
    benchmarkBigger: join(outDir, "benchmark-bigger.json"),
  };
  writeFileSync(files.html, gateHtml(c, links, outDir));
  writeFileSync(files.markdown, compareMarkdown(c));
  writeFileSync(files.junit, compareJunit(c));
  const { smaller, bigger } = benchmarkEntries(c);
  writeFileSync(files.benchmark, `${JSON.stringify(smaller, null, 2)}\n`);
  writeFileSync(files.benchmarkBigger, `${JSON.stringify(bigger, null, 2)}\n`);
  return files;
}
