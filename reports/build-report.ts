/**
 * The per-run report: run directory → report.html. The verdict and the key numbers come first as
 * text (the page answers "did it pass, how fast, what was lost" without a chart), then the charts,
 * then the scenario, configs and log tails for whoever digs deeper. Every figure printed from
 * results.json carries `data-path`, so a test can check the page against the file.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type {
  Check,
  LatencyStats,
  PhaseLatency,
  Results,
  StretchLatency,
  Tail,
} from "../harness/results/types.ts";
import { targetFor } from "../harness/targets/registry.ts";
import { int, ms, rate, recovery } from "./format.ts";
import { type Chart, chartFigure, escapeHtml, page } from "./html.ts";
import { resourcesSection } from "./resources-section.ts";
import { loadRun, type RunData, type TextFile } from "./run-data.ts";
import { backlogSpec } from "./specs/backlog.ts";
import { channelFillSpec } from "./specs/channel-fill.ts";
import type { ChartRun } from "./specs/common.ts";
import { cpuSpec } from "./specs/cpu.ts";
import { deliverySpec } from "./specs/delivery.ts";
import { latencyDistributionSpec } from "./specs/latency-distribution.ts";
import { latencyTimeSpec } from "./specs/latency-time.ts";
import { recoverySpec } from "./specs/recovery.ts";
import { throughputSpec } from "./specs/throughput.ts";

/** The backlog chart's title in the targets' own words ("Consumer lag" for a pull log). */
export function backlogTitle(engines: readonly string[]): string {
  const titles = [...new Set(engines.map((e) => targetFor(e)?.report?.backlogTitle ?? "Backlog"))];
  return titles.length === 1 ? (titles[0] as string) : "Backlog";
}

/** A figure from results.json, tagged with its path. */
export function fig(path: string, text: string): string {
  return `<span data-path="${escapeHtml(path)}">${escapeHtml(text)}</span>`;
}

const validity = (v: Check["valid"]) =>
  v === true
    ? `<span class="ok">pass</span>`
    : v === false
      ? `<span class="bad">FAIL</span>`
      : `<span class="unknown">unknown</span>`;

/** The one-sentence reason under the verdict. */
export function verdictReason(r: Results): string {
  if (r.status === "errored") return `The run itself broke: ${r.error?.message ?? "no detail recorded"}`;
  const failed = r.checks.filter((c) => c.valid !== true);
  if (failed.length === 0) return `All ${r.checks.length} checks held.`;
  return `${failed.length} of ${r.checks.length} checks did not hold: ${failed.map((c) => c.name).join("; ")}`;
}

export function banner(r: Results): string {
  return `<div class="banner ${escapeHtml(r.status)}" data-status="${escapeHtml(r.status)}">
<div class="verdict">${escapeHtml(r.status.toUpperCase())} — ${escapeHtml(r.scenario)}</div>
<div class="why">${escapeHtml(verdictReason(r))}</div>
</div>`;
}

function latencyRows(r: Results): string {
  const row = (label: string, base: string, s: LatencyStats, corrected: boolean) => {
    const p = corrected ? s.corrected : s;
    const at = corrected ? `${base}.corrected` : base;
    const cell = (k: "p50" | "p90" | "p99" | "p999" | "max") =>
      `<td class="num">${fig(`${at}.${k}`, ms(p[k]))}</td>`;
    return `<tr><th>${label}</th>${cell("p50")}${cell("p90")}${cell("p99")}${cell("p999")}${cell("max")}<td class="num">${fig(`${at}.count`, int(p.count))}</td></tr>`;
  };
  return `<table class="latency"><thead><tr><th></th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">max</th><th class="num">samples</th></tr></thead><tbody>
${row("publish, from intended send", "latency.publish", r.latency.publish, true)}
${row("publish, from actual send", "latency.publish", r.latency.publish, false)}
${row("end to end, from intended send", "latency.endToEnd", r.latency.endToEnd, true)}
${
  r.latency.publishAttempts
    ? `${row("every publish attempt, from intended send", "latency.publishAttempts", r.latency.publishAttempts, true)}
${row("every publish attempt, from actual send", "latency.publishAttempts", r.latency.publishAttempts, false)}`
    : ""
}
${row("end to end, from actual send", "latency.endToEnd", r.latency.endToEnd, false)}
</tbody></table>`;
}

function throughputTable(r: Results): string {
  const t = r.throughput;
  const row = (label: string, k: keyof Results["throughput"], v: number) =>
    `<tr><th>${label}</th><td class="num">${fig(`throughput.${k}`, rate(v))}</td></tr>`;
  return `<table>${row("offered", "offeredPerSec", t.offeredPerSec)}${row("sent", "sentPerSec", t.sentPerSec)}${row("acked", "ackedPerSec", t.ackedPerSec)}${row("delivered", "deliveredPerSec", t.deliveredPerSec)}</table>`;
}

const DELIVERY_ROWS: [keyof Results["delivery"], string][] = [
  ["attempted", "messages the producers tried to send"],
  ["acked", "confirmed by the engine"],
  ["failed", "definitely refused"],
  ["indeterminate", "outcome unknown (timeout, reset)"],
  ["delivered", "distinct messages that reached a consumer"],
  ["lost", "acked, never delivered"],
  ["duplicated", "distinct messages delivered twice or more"],
  ["duplicateDeliveries", "extra copies delivered"],
  ["unexpected", "delivered, never sent"],
  ["recovered", "outcome unknown, delivered after all"],
  ["failedButDelivered", "refused, delivered anyway"],
  ["corrupted", "delivered with a body that fails its checksum"],
];

function deliveryTable(r: Results): string {
  const rows = DELIVERY_ROWS.filter(([k]) => r.delivery[k] !== undefined).map(([k, meaning]) => {
    const v = r.delivery[k] as number;
    const alarm = (k === "lost" || k === "unexpected" || k === "corrupted") && v > 0 ? ` class="bad"` : "";
    return `<tr><th>${k}</th><td class="num"><span${alarm}>${fig(`delivery.${k}`, int(v))}</span></td><td class="meta">${meaning}</td></tr>`;
  });
  return `<table>${rows.join("")}</table>`;
}

export function checksTable(checks: readonly Check[]): string {
  if (checks.length === 0) return `<p>No checks.</p>`;
  return `<table class="checks"><thead><tr><th>check</th><th>result</th><th>detail</th></tr></thead><tbody>${checks
    .map(
      (c, i) =>
        `<tr data-check="${i}"><td>${escapeHtml(c.name)}</td><td data-valid="${escapeHtml(String(c.valid))}">${validity(c.valid)}</td><td>${escapeHtml(c.detail)}</td></tr>`,
    )
    .join("")}</tbody></table>`;
}

function faultsTable(r: Results): string {
  if (r.faults.length === 0) return `<p>No faults were injected in this run.</p>`;
  const opt = (v: number | null | undefined) => (v === null || v === undefined ? "—" : ms(v));
  const rows = r.faults.map((f, i) => {
    const why = Object.entries(f.nullReasons ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ");
    const status =
      f.applied === false ? `not applied${f.optional ? " (optional)" : ""}: ${f.error ?? "?"}` : "applied";
    return `<tr data-applied="${escapeHtml(String(f.applied !== false))}"><td>${escapeHtml(f.name)}</td><td>${escapeHtml(f.kind)}</td><td>${escapeHtml(f.target)}</td><td>${escapeHtml(status)}${f.overlapsWith?.length ? `<br><span class="meta">overlaps ${escapeHtml(f.overlapsWith.join(", "))}</span>` : ""}</td><td class="num">${fig(`faults.${i}.startMs`, ms(f.startMs))}</td><td class="num">${fig(`faults.${i}.endMs`, ms(f.endMs))}</td><td class="num">${f.moveMs !== undefined ? fig(`faults.${i}.moveMs`, opt(f.moveMs)) : fig(`faults.${i}.restartMs`, opt(f.restartMs))}</td><td class="num">${fig(`faults.${i}.detectMs`, opt(f.detectMs))}</td><td class="num">${fig(`faults.${i}.unavailableMs`, opt(f.unavailableMs))}</td><td class="num">${fig(`faults.${i}.maxAckGapMs`, opt(f.maxAckGapMs))}</td><td class="num">${fig(`faults.${i}.recoveryMs`, recovery(f.recoveryMs))}</td><td class="num">${fig(`faults.${i}.lost`, int(f.lost ?? 0))}</td></tr>${why ? `<tr><td></td><td colspan="11" class="meta">${escapeHtml(why)}</td></tr>` : ""}`;
  });
  return `<table class="faults"><thead><tr><th>fault</th><th>kind</th><th>target</th><th>status</th><th class="num">start</th><th class="num">healed</th><th class="num">restart / move</th><th class="num">detected</th><th class="num">unavailable</th><th class="num">longest ack gap</th><th class="num">recovery</th><th class="num">lost (charged)</th></tr></thead><tbody>${rows.join("")}</tbody></table>
${phaseLatencyTable(r)}
${incidentsTable(r)}`;
}

/** p99 before / during / after each fault and incident: end to end and every publish attempt. */
function phaseLatencyTable(r: Results): string {
  const items = [
    ...r.faults.filter((f) => f.latency).map((f) => ({ label: f.name, l: f.latency as PhaseLatency })),
    ...(r.incidents ?? [])
      .filter((inc) => inc.faults.length > 1)
      .map((inc, i) => ({ label: `incident #${i} (${inc.faults.join(" + ")})`, l: inc.latency })),
  ];
  if (items.length === 0) return "";
  const cell = (t: Tail | null | undefined) =>
    `<td class="num">${t ? `${escapeHtml(ms(t.p50))} / ${escapeHtml(ms(t.p99))} / ${escapeHtml(ms(t.max))}` : "—"}</td>`;
  const rows = items.map(({ label, l }) => {
    const part = (pick: (s: StretchLatency) => Tail | null) =>
      ["before", "during", "after"]
        .map((k) => {
          const st = l[k as keyof PhaseLatency];
          return cell(st ? pick(st) : null);
        })
        .join("");
    return `<tr><td>${escapeHtml(label)}</td>${part((s) => s.endToEnd)}${part((s) => s.publishAttempts)}</tr>`;
  });
  return `<p class="meta">Latency p50 / p99 / max (ms, from the intended send time) of the messages intended before (the baseline stretch), during and after (3 s after the heal) each fault.</p>
<table class="phase-latency"><thead><tr><th></th><th colspan="3">end to end: before · during · after</th><th colspan="3">publish attempts: before · during · after</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function incidentsTable(r: Results): string {
  const list = r.incidents ?? [];
  if (list.length === 0) return "";
  const opt = (v: number | null) => (v === null ? "—" : ms(v));
  const rows = list.map(
    (inc, i) =>
      `<tr><td>#${i}</td><td>${escapeHtml(inc.faults.join(" + "))}</td><td class="num">${fig(`incidents.${i}.startMs`, ms(inc.startMs))}</td><td class="num">${fig(`incidents.${i}.endMs`, ms(inc.endMs))}</td><td class="num">${fig(`incidents.${i}.detectMs`, opt(inc.detectMs))}</td><td class="num">${fig(`incidents.${i}.unavailableMs`, opt(inc.unavailableMs))}</td><td class="num">${fig(`incidents.${i}.recoveryMs`, recovery(inc.recoveryMs))}</td><td class="num">${fig(`incidents.${i}.lost`, int(inc.lost))}</td><td class="num">${fig(`incidents.${i}.duplicated`, int(inc.duplicated))}</td></tr>`,
  );
  return `<h3>Incidents</h3><p class="meta">Overlapping faults as one event (the union of their windows); a figure that cannot be split between them is reported here.${r.lossAttribution ? ` Loss attribution: ${escapeHtml(r.lossAttribution.rule)}; unattributed: ${r.lossAttribution.unattributed}.` : ""}</p>
<table class="incidents"><thead><tr><th></th><th>faults</th><th class="num">start</th><th class="num">healed</th><th class="num">detected</th><th class="num">unavailable</th><th class="num">recovery</th><th class="num">lost</th><th class="num">duplicated</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function fileBlocks(files: readonly TextFile[], what: string): string {
  return files
    .map(
      (f) =>
        `<details><summary>${escapeHtml(f.name)}${f.truncated ? ` (the last ${what})` : ""}</summary><pre>${escapeHtml(f.text)}</pre></details>`,
    )
    .join("\n");
}

/** The charts of one run, in reading order; a chart without data is left out. */
export function runCharts(runs: readonly ChartRun[], prefix = "chart"): Chart[] {
  const charts: Chart[] = [
    {
      id: `${prefix}-throughput`,
      title: "Throughput over time",
      note: "Messages per second; shaded: warmup (grey) and each fault from its start to its heal.",
      spec: throughputSpec(runs),
    },
    {
      id: `${prefix}-latency-time`,
      title: "End-to-end latency over time",
      note: "Per second, from the intended send time (coordinated-omission safe), log axis.",
      spec: latencyTimeSpec(runs),
    },
    {
      id: `${prefix}-latency-distribution`,
      title: "Latency distribution (HDR percentile plot)",
      note: "Solid: from the intended send time; dashed: from the actual send. The gap is coordinated omission.",
      spec: latencyDistributionSpec(runs),
    },
    {
      id: `${prefix}-delivery`,
      title: "Delivery accounting",
      note: "Symlog axis; each bar carries its count.",
      spec: deliverySpec(runs),
    },
  ];
  const rec = recoverySpec(runs);
  if (rec)
    charts.push({
      id: `${prefix}-recovery`,
      title: "Recovery per fault",
      note: "Unavailable: longest stretch without an ack from the fault's start. Recovery: from the heal until acked throughput is back to ≥ 90% of the pre-fault mean for 3 s.",
      spec: rec,
    });
  const backlog = backlogSpec(runs);
  if (backlog)
    charts.push({
      id: `${prefix}-backlog`,
      title: backlogTitle(runs.map((r) => r.results.engine)),
      note: "Messages acked to the producers but not yet delivered, at the end of each second: the channels' contents for the push agent, the consumer lag for the pull log.",
      spec: backlog,
    });
  const fill = channelFillSpec(runs);
  if (fill)
    charts.push({
      id: `${prefix}-channel-fill`,
      title: "Channel fill per agent",
      note: "Sampled once a second from each agent's /metrics; a gap is a second the agent was down or paused.",
      spec: fill,
    });
  const cpu = runs.length === 1 ? cpuSpec(runs) : undefined;
  if (cpu)
    charts.push({
      id: `${prefix}-cpu`,
      title: "CPU by role",
      note: "Cores used each second by the harness, client processes, the proxy and the engine nodes (stacked); dashed: the whole machine.",
      spec: cpu,
    });
  return charts;
}

export function reportHtml(run: RunData): string {
  const r = run.results;
  const charts = runCharts([{ label: r.scenario, results: r }]);
  const env = r.environment;
  const w = r.window;
  const body = `
<header>
<h1>faultbench report: ${escapeHtml(r.scenario)}</h1>
<div class="meta">engine ${escapeHtml(r.engine)} · seed ${escapeHtml(r.seed)} · started ${escapeHtml(r.startedAt)} · commit ${escapeHtml(env?.gitCommit ?? "unknown")} · faultbench ${escapeHtml(env?.faultbench ?? "?")}</div>
</header>
${banner(r)}
<p class="desc">${escapeHtml(r.description)}</p>
<h2>Key numbers</h2>
<div class="grid">
<section><h3>Throughput (measured window)</h3>${throughputTable(r)}
<p class="meta">window ${escapeHtml(ms(w.measureStartMs))} – ${escapeHtml(ms(w.measureEndMs))} after a ${escapeHtml(ms(w.warmupMs))} warmup; drained at ${escapeHtml(ms(w.drainedAtMs))}</p></section>
<section><h3>Delivery accounting</h3>${deliveryTable(r)}</section>
</div>
<h3>Latency</h3>
${latencyRows(r)}
${resourcesSection(r)}
<h2>Checks and expectations</h2>
${checksTable(r.checks)}
<h2>Faults</h2>
${faultsTable(r)}
<h2>Charts</h2>
<div class="charts">
${charts.map(chartFigure).join("\n")}
</div>
<h2>Run details</h2>
<p class="meta">node ${escapeHtml(env?.node)} · ${escapeHtml(env?.os)} · ${escapeHtml(env?.cpu)} × ${escapeHtml(env?.cpus)} · ${escapeHtml(env?.memoryGiB)} GiB</p>
${run.scenarioText === undefined ? "" : `<details><summary>scenario.yaml</summary><pre>${escapeHtml(run.scenarioText)}</pre></details>`}
${fileBlocks(run.configs, "part")}
${fileBlocks(run.logs, "part")}
`;
  return page({ title: `${r.status.toUpperCase()} ${r.scenario} — faultbench`, body, charts });
}

/**
 * Builds report.html (or `out`) for a run directory and returns its path. Pass `results` right
 * after a run to skip reading results.json back.
 */
export async function writeReport(
  dir: string,
  opts: { results?: Results; out?: string } = {},
): Promise<string> {
  const run = await loadRun(dir, opts.results);
  const out = opts.out ?? join(dir, "report.html");
  writeFileSync(out, reportHtml(run));
  return out;
}
