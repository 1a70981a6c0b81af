/**
 * The suite index: index.html beside the run directories of one `faultbench run` over a folder.
 * A table compares the scenarios (status, throughput, p99, loss, worst recovery, a link to each
 * report); below it the design-evaluation matrix puts every scenario in one cell, with the fault
 * kinds it injected as the row and its design (engine plus the setting that decides durability:
 * channel type for the push agent, acks for a pull log) as the column — so "what was lost and how
 * fast did it recover" reads across designs under the same faults.
 */

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { FaultbenchError } from "../harness/errors.ts";
import type { Results } from "../harness/results/types.ts";
import { scenarioFromObject } from "../harness/scenario/load.ts";
import { targetFor } from "../harness/targets/registry.ts";
import { checksTable, verdictReason } from "./build-report.ts";
import { int, ms, rate, recovery } from "./format.ts";
import { type Chart, chartFigure, escapeHtml, page } from "./html.ts";
import { readResults } from "./run-data.ts";
import { decades, frame, type Spec } from "./specs/common.ts";

export interface SuiteRun {
  /** Run directory, relative to the suite directory. */
  runDir: string;
  results: Results;
  scenario?: Record<string, unknown>;
}

/**
 * The scenario's design, as the matrix column: engine and its durability-deciding setting, as the
 * target defines it (TopologyFacts.durability). A scenario file that no longer validates (an older
 * run) falls back to reading the usual keys.
 */
export function designOf(r: Results, scenario?: Record<string, unknown>): string {
  const def = targetFor(r.engine);
  if (scenario && def) {
    try {
      const s = scenarioFromObject(scenario, "scenario.yaml");
      const d = def.facts(s).durability;
      // Page cache and fsync are separate cells: the flush policy joins the target's setting.
      const flush = flushPolicyOf(scenario);
      return [r.engine, d, ...(flush && !d.includes("flush.") ? [flush] : [])].join(" · ");
    } catch {
      // fall through to the heuristic
    }
  }
  const parts: string[] = [r.engine];
  const agents = (scenario?.topology as { agents?: Record<string, { channel?: { type?: unknown } }> })
    ?.agents;
  if (agents && typeof agents === "object") {
    const types = [...new Set(Object.values(agents).map((a) => String(a?.channel?.type ?? "memory")))].sort();
    if (types.length > 0) parts.push(`${types.join("+")} channel${types.length > 1 ? "s" : ""}`);
  }
  // Pull-log scenarios carry their producer acks (and replication) somewhere in the file; found
  // by key, so the column works wherever the log schema puts them.
  for (const key of ["acks", "replicationFactor", "minInsyncReplicas"]) {
    const v = findKey(scenario, key);
    if (v !== undefined) parts.push(`${key}=${String(v)}`);
  }
  const flush = flushPolicyOf(scenario);
  if (flush) parts.push(flush);
  return parts.join(" · ");
}

/**
 * What reaches the disk before an ack — the setting a power loss tests: the log's flush policy
 * (`flush.messages`/`flush.ms`, else the page cache), a file channel's fsync per transaction.
 */
export function flushPolicyOf(scenario?: Record<string, unknown>): string | undefined {
  const topology = scenario?.topology as Record<string, unknown> | undefined;
  const agents = topology?.agents as Record<string, { channel?: Record<string, unknown> }> | undefined;
  // A partitioned log (it has producer acks): its flush policy, else the page cache.
  if (!agents && findKey(scenario, "acks") !== undefined) {
    const config = (topology?.config ?? {}) as Record<string, unknown>;
    const set = ["flush.messages", "flush.ms"].filter((k) => config[k] !== undefined);
    return set.length ? set.map((k) => `${k}=${String(config[k])}`).join(" ") : "page-cache flush";
  }
  const files = Object.values(agents ?? {}).filter((a) => a?.channel?.type === "file");
  if (files.length === 0) return undefined;
  return files.every((a) => a.channel?.fsyncPerTransaction !== false)
    ? "fsync per transaction"
    : "no fsync per transaction";
}

function findKey(v: unknown, key: string, depth = 0): unknown {
  if (typeof v !== "object" || v === null || depth > 6) return undefined;
  if (!Array.isArray(v) && key in v) return (v as Record<string, unknown>)[key];
  for (const child of Object.values(v)) {
    const found = findKey(child, key, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The matrix row: the fault kinds the scenario injected ("kill + pause"), or "no fault". */
export function faultKindsOf(r: Results, scenario?: Record<string, unknown>): string {
  let kinds = r.faults.map((f) => f.kind);
  if (kinds.length === 0 && Array.isArray(scenario?.faults))
    kinds = (scenario.faults as { kind?: unknown }[]).map((f) => String(f?.kind));
  const set = [...new Set(kinds)].sort();
  return set.length === 0 ? "no fault" : set.join(" + ");
}

/** Worst recovery: the longest, "never" when a fault never recovered, null without faults. */
export function worstRecovery(r: Results): number | "never" | null {
  if (r.faults.length === 0) return null;
  if (r.faults.some((f) => f.recoveryMs === null)) return "never";
  return Math.max(...r.faults.map((f) => f.recoveryMs as number));
}

/** The runs of a suite, in suite.json's order, or every run directory found when it is missing. */
export function loadSuite(suiteDir: string): SuiteRun[] {
  let dirs: string[];
  const suiteJson = join(suiteDir, "suite.json");
  if (existsSync(suiteJson)) {
    let list: { runDir?: unknown }[];
    try {
      list = JSON.parse(readFileSync(suiteJson, "utf8"));
    } catch {
      throw new FaultbenchError("FB_RUN_DIR", `${suiteJson}: not valid JSON`);
    }
    if (!Array.isArray(list)) throw new FaultbenchError("FB_RUN_DIR", `${suiteJson}: not a list of runs`);
    dirs = list.map((e) => String(e?.runDir));
  } else {
    dirs = existsSync(suiteDir)
      ? readdirSync(suiteDir)
          .sort()
          .filter(
            (d) => statSync(join(suiteDir, d)).isDirectory() && existsSync(join(suiteDir, d, "results.json")),
          )
      : [];
  }
  if (dirs.length === 0)
    throw new FaultbenchError(
      "FB_RUN_DIR",
      `${suiteDir}: not a suite directory (no suite.json, no run directories)`,
    );
  return dirs.map((runDir) => {
    const dir = join(suiteDir, runDir);
    const results = readResults(dir);
    let scenario: Record<string, unknown> | undefined;
    try {
      const v = parse(readFileSync(join(dir, "scenario.yaml"), "utf8"));
      if (typeof v === "object" && v !== null) scenario = v as Record<string, unknown>;
    } catch {
      scenario = undefined;
    }
    return { runDir, results, ...(scenario ? { scenario } : {}) };
  });
}

function href(run: SuiteRun): string {
  // Run directory names are timestamps and schema-restricted scenario names; encode anyway.
  return `${run.runDir.split("/").map(encodeURIComponent).join("/")}/report.html`;
}

function summaryTable(runs: readonly SuiteRun[]): string {
  const rows = runs.map((run, i) => {
    const r = run.results;
    const worst = worstRecovery(r);
    const cls = (n: number) => (n > 0 ? ` class="bad"` : "");
    return `<tr data-run="${i}">
<td><a href="${escapeHtml(href(run))}">${escapeHtml(r.scenario)}</a></td>
<td><span class="${r.status === "passed" ? "ok" : r.status === "failed" ? "bad" : "unknown"}" data-field="status">${escapeHtml(r.status)}</span></td>
<td>${escapeHtml(designOf(r, run.scenario))}</td>
<td class="num" data-field="ackedPerSec">${escapeHtml(rate(r.throughput.ackedPerSec))}</td>
<td class="num" data-field="endToEndP99">${escapeHtml(ms(r.latency.endToEnd.corrected.p99))}</td>
<td class="num" data-field="lost"><span${cls(r.delivery.lost)}>${escapeHtml(int(r.delivery.lost))}</span></td>
<td class="num" data-field="duplicated">${escapeHtml(int(r.delivery.duplicated))}</td>
<td class="num" data-field="worstRecoveryMs">${escapeHtml(worst === null ? "— (no faults)" : worst === "never" ? "never" : ms(worst))}</td>
<td><a href="${escapeHtml(href(run))}">report</a></td>
</tr>`;
  });
  return `<table class="suite"><thead><tr><th>scenario</th><th>status</th><th>design</th><th class="num">acked</th><th class="num">e2e p99</th><th class="num">lost</th><th class="num">duplicated</th><th class="num">worst recovery</th><th></th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>`;
}

function cell(run: SuiteRun): string {
  const r = run.results;
  const faults = r.faults
    .map(
      (f) =>
        `<li>${escapeHtml(f.kind)} ${escapeHtml(f.target)} (${escapeHtml(f.name)}): unavailable ${escapeHtml(ms(f.unavailableMs))}, recovery ${escapeHtml(recovery(f.recoveryMs))}</li>`,
    )
    .join("");
  return `<div class="cell"><a href="${escapeHtml(href(run))}">${escapeHtml(r.scenario)}</a> <span class="${r.status === "passed" ? "ok" : "bad"}">${escapeHtml(r.status)}</span><br>
lost <b${r.delivery.lost > 0 ? ` class="bad"` : ""}>${escapeHtml(int(r.delivery.lost))}</b> · duplicated <b>${escapeHtml(int(r.delivery.duplicated))}</b> · recovered ${escapeHtml(int(r.delivery.recovered))}
${faults ? `<ul>${faults}</ul>` : ""}</div>`;
}

/** The fault kind × design matrix; every scenario lands in exactly one cell. */
export function designMatrix(runs: readonly SuiteRun[]): string {
  const rowsOf = [...new Set(runs.map((r) => faultKindsOf(r.results, r.scenario)))].sort((a, b) =>
    a === "no fault" ? -1 : b === "no fault" ? 1 : a.localeCompare(b),
  );
  const cols = [...new Set(runs.map((r) => designOf(r.results, r.scenario)))].sort();
  const head = `<tr><th>fault kinds ↓ · design →</th>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
  const body = rowsOf.map((row) => {
    const cells = cols.map((col) => {
      const here = runs.filter(
        (r) => faultKindsOf(r.results, r.scenario) === row && designOf(r.results, r.scenario) === col,
      );
      return `<td>${here.length === 0 ? `<span class="meta">—</span>` : here.map(cell).join("")}</td>`;
    });
    return `<tr><th>${escapeHtml(row)}</th>${cells.join("")}</tr>`;
  });
  return `<table class="matrix"><thead>${head}</thead><tbody>${body.join("\n")}</tbody></table>`;
}

/** Unavailability and recovery of every fault, grouped by scenario: the matrix as a chart. */
export function suiteRecoverySpec(runs: readonly SuiteRun[]): Spec | undefined {
  const values = runs.flatMap((run) =>
    run.results.faults.flatMap((f) => [
      {
        scenario: run.results.scenario,
        fault: `${f.kind} ${f.target}`,
        measure: "unavailable",
        ms: f.unavailableMs ?? 0,
        text: f.unavailableMs === null ? "see its incident" : ms(f.unavailableMs),
      },
      {
        scenario: run.results.scenario,
        fault: `${f.kind} ${f.target}`,
        measure: "recovery",
        ms: f.recoveryMs ?? 0,
        text: recovery(f.recoveryMs),
      },
    ]),
  );
  if (values.length === 0) return undefined;
  const rows = [...new Set(values.map((v) => `${v.scenario}: ${v.fault}`))];
  const data = values.map((v) => ({ ...v, row: `${v.scenario}: ${v.fault}` }));
  const tooltip = [
    { field: "scenario" },
    { field: "fault" },
    { field: "measure" },
    { field: "text", title: "time" },
  ];
  return {
    ...frame(Math.max(100, rows.length * 40)),
    data: { values: data },
    encoding: {
      y: { field: "row", type: "nominal", title: null, sort: rows },
      x: {
        field: "ms",
        type: "quantitative",
        title: "milliseconds",
        scale: { domain: [0, Math.max(1, ...values.map((v) => v.ms)) * 1.25] },
      },
      yOffset: { field: "measure", sort: ["unavailable", "recovery"] },
      tooltip,
    },
    layer: [
      {
        mark: "bar",
        encoding: {
          color: {
            field: "measure",
            type: "nominal",
            title: null,
            scale: { domain: ["unavailable", "recovery"], range: ["#cf222e", "#0969da"] },
          },
        },
      },
      { mark: { type: "text", align: "left", dx: 3, fontSize: 10 }, encoding: { text: { field: "text" } } },
    ],
  };
}

/** End-to-end latency (corrected) p50/p99/max per scenario on a log axis. */
export function suiteLatencySpec(runs: readonly SuiteRun[]): Spec {
  const values = runs.flatMap((run) => {
    const c = run.results.latency.endToEnd.corrected;
    return (
      [
        ["p50", c.p50],
        ["p99", c.p99],
        ["max", c.max],
      ] as const
    )
      .filter(([, v]) => v > 0)
      .map(([stat, v]) => ({ scenario: run.results.scenario, stat, ms: v }));
  });
  return {
    ...frame(Math.max(100, runs.length * 36)),
    data: { values },
    // Points, not bars: a bar on a log axis has no zero to start from.
    mark: { type: "point", filled: true, size: 90 },
    encoding: {
      y: { field: "scenario", type: "nominal", title: null },
      x: {
        field: "ms",
        type: "quantitative",
        title: "end-to-end latency from intended send, ms (log)",
        scale: { type: "log" },
        axis: { values: decades(values.map((v) => v.ms)) },
      },
      color: {
        field: "stat",
        type: "nominal",
        title: null,
        scale: { domain: ["p50", "p99", "max"], range: ["#1a7f37", "#bf8700", "#cf222e"] },
      },
      tooltip: [{ field: "scenario" }, { field: "stat" }, { field: "ms", title: "ms", format: ",.3f" }],
    },
  };
}

export function indexHtml(runs: readonly SuiteRun[], title: string): string {
  const charts: Chart[] = [
    {
      id: "suite-latency",
      title: "End-to-end latency per scenario",
      note: "From the intended send time; p50, p99 and max on a log axis.",
      spec: suiteLatencySpec(runs),
    },
  ];
  const rec = suiteRecoverySpec(runs);
  if (rec)
    charts.push({
      id: "suite-recovery",
      title: "Unavailability and recovery per fault",
      note: "Each fault of each scenario; a fault that never recovered shows 'never'.",
      spec: rec,
    });
  const passed = runs.filter((r) => r.results.status === "passed").length;
  const status =
    passed === runs.length
      ? "passed"
      : runs.some((r) => r.results.status === "errored")
        ? "errored"
        : "failed";
  const failures = runs
    .filter((r) => r.results.status !== "passed")
    .map((r) => `<li><b>${escapeHtml(r.results.scenario)}</b>: ${escapeHtml(verdictReason(r.results))}</li>`)
    .join("");
  const body = `
<header><h1>faultbench suite: ${escapeHtml(title)}</h1>
<div class="meta">${runs.length} scenarios · commit ${escapeHtml(runs[0]?.results.environment?.gitCommit ?? "unknown")} · started ${escapeHtml(runs[0]?.results.startedAt ?? "")}</div></header>
<div class="banner ${status}" data-status="${status}"><div class="verdict">${passed} of ${runs.length} scenarios passed</div>${failures ? `<ul class="why">${failures}</ul>` : ""}</div>
<h2>Scenarios</h2>
${summaryTable(runs)}
<h2>Design evaluation: fault kind × design</h2>
<p class="note">One cell per scenario. Rows: the kinds of fault it injected; columns: the engine and the setting that decides what survives a fault (channel type for the push agent, acks for a pull log).</p>
${designMatrix(runs)}
<h2>Charts</h2>
<div class="charts">${charts.map(chartFigure).join("\n")}</div>
<h2>Checks per scenario</h2>
${runs.map((r) => `<details><summary>${escapeHtml(r.results.scenario)} — ${escapeHtml(r.results.status)}</summary>${checksTable(r.results.checks)}</details>`).join("\n")}
`;
  return page({ title: `${passed}/${runs.length} passed — faultbench suite ${title}`, body, charts });
}

/** Writes index.html into the suite directory and returns its path. */
export function writeIndex(suiteDir: string, opts: { out?: string } = {}): string {
  const runs = loadSuite(suiteDir);
  const out = opts.out ?? join(suiteDir, "index.html");
  const title = suiteDir.split(/[\\/]/).filter(Boolean).pop() ?? suiteDir;
  writeFileSync(out, indexHtml(runs, title));
  return out;
}
