/**
 * The capacity page: capacity.json → capacity.html. The answer first, in words (with the
 * harness-bound caveat when the load path ran out first), then every step of every search with a
 * link to its own run report, and a chart of latency against load with each step's verdict.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CapacityResult, CapacityStep } from "../harness/capacity/types.ts";
import { int, ms, rate } from "./format.ts";
import { chartFigure, escapeHtml, page } from "./html.ts";
import { frame, type Spec } from "./specs/common.ts";

const VERDICT_COLORS = { good: "#1a7f37", bad: "#cf222e", "harness-bound": "#9a6700" };

function level(r: CapacityResult, x: number | null): string {
  if (x === null) return "—";
  return r.knob === "rate" ? rate(x) : `${x}×`;
}

/** p99 (and p50) of each step against its load, coloured by verdict; the answer marked. */
export function capacitySpec(r: CapacityResult): Spec {
  const values = r.searches.flatMap((s, si) =>
    s.steps.map((st) => ({
      search: `search ${si + 1}`,
      step: st.index,
      level: st.level,
      p99: Math.max(0.01, st.endToEndP99),
      p50: Math.max(0.01, st.endToEndP50),
      acked: st.ackedPerSec,
      verdict: st.verdict,
    })),
  );
  const answers = r.searches.flatMap((s, si) =>
    s.answer === null ? [] : [{ level: s.answer, search: `search ${si + 1}` }],
  );
  const x = {
    field: "level",
    type: "quantitative",
    title: r.knob === "rate" ? "offered rate (messages/s)" : "trace speed (×)",
    scale: { zero: false },
  };
  const tooltip = [
    { field: "search" },
    { field: "step" },
    { field: "level", title: r.knob, format: "," },
    { field: "verdict" },
    { field: "p99", title: "e2e p99 (ms)", format: ".2f" },
    { field: "p50", title: "e2e p50 (ms)", format: ".2f" },
    { field: "acked", title: "acked/s", format: ",.0f" },
  ];
  return {
    ...frame(260),
    layer: [
      {
        data: { values },
        mark: { type: "line", color: "#8c959f", strokeDash: [2, 2] },
        encoding: {
          x,
          y: {
            field: "p99",
            type: "quantitative",
            scale: { type: "log" },
            title: "end-to-end p99 (ms, corrected)",
          },
          detail: { field: "search" },
        },
      },
      {
        data: { values },
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x,
          y: { field: "p99", type: "quantitative", scale: { type: "log" } },
          color: {
            field: "verdict",
            type: "nominal",
            title: "step",
            scale: { domain: Object.keys(VERDICT_COLORS), range: Object.values(VERDICT_COLORS) },
          },
          shape: { field: "search", type: "nominal", title: null },
          tooltip,
        },
      },
      ...(answers.length === 0
        ? []
        : [
            {
              data: { values: answers },
              mark: { type: "rule", color: "#1a7f37", strokeWidth: 2 },
              encoding: {
                x: { field: "level", type: "quantitative" },
                tooltip: [{ field: "search" }, { field: "level", title: "answer", format: "," }],
              },
            },
          ]),
    ],
  };
}

function stepRow(r: CapacityResult, st: CapacityStep): string {
  const cls = st.verdict === "good" ? "ok" : st.verdict === "bad" ? "bad" : "unknown";
  const failed = st.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.detail}`);
  const why = [...(st.verdict === "harness-bound" ? st.reasons : []), ...failed].join("; ");
  return `<tr data-step="${st.index}"><td class="num">${st.index}</td><td>${escapeHtml(st.phase)}</td><td class="num">${escapeHtml(level(r, st.level))}</td><td class="${cls}">${escapeHtml(st.verdict)}</td><td class="num">${escapeHtml(rate(st.offeredPerSec))}</td><td class="num">${escapeHtml(rate(st.ackedPerSec))}</td><td class="num">${escapeHtml(ms(st.endToEndP50))}</td><td class="num">${escapeHtml(ms(st.endToEndP99))}</td><td class="num">${escapeHtml(int(st.lost))}</td><td>${escapeHtml(why)}</td><td><a href="${escapeHtml(`${st.runDir}/report.html`)}">report</a></td></tr>`;
}

export function capacityHtml(r: CapacityResult): string {
  const first = r.searches[0];
  const hb = r.searches.some((s) => s.end === "harness-bound");
  const a = r.answerStep;
  const answer =
    first?.answer === null || first === undefined
      ? `<div class="banner failed" data-answer="none"><div class="verdict">No load held the SLOs</div><div class="why">${escapeHtml(first?.summary ?? "")}</div></div>`
      : `<div class="banner ${hb ? "errored" : "passed"}" data-answer="${escapeHtml(first.answer)}"><div class="verdict">${escapeHtml(level(r, first.answer))}${hb ? " — at least (harness-bound above)" : ""}</div><div class="why">${escapeHtml(first.summary)}</div></div>`;
  const figures = a
    ? `<p>At the answer: offered ${escapeHtml(rate(a.offeredPerSec))}, acked ${escapeHtml(rate(a.ackedPerSec))}, delivered ${escapeHtml(rate(a.deliveredPerSec))}; end-to-end p50 ${escapeHtml(ms(a.endToEndP50))}, p99 ${escapeHtml(ms(a.endToEndP99))}; publish p99 ${escapeHtml(ms(a.publishP99))}; lost ${escapeHtml(int(a.lost))}. <a href="${escapeHtml(`${a.runDir}/report.html`)}">The answer's run report</a>.</p>`
    : "";
  const spread =
    r.spread && r.searches.length > 1
      ? `<p data-spread="${escapeHtml(r.spread.spreadPct)}">Over ${r.searches.length} searches: min ${escapeHtml(level(r, r.spread.min))}, median ${escapeHtml(level(r, r.spread.median))}, max ${escapeHtml(level(r, r.spread.max))}; spread ${escapeHtml(r.spread.spreadPct)}% of the median.</p>`
      : "";
  const tables = r.searches
    .map(
      (s, i) => `<h3>Search ${i + 1}: ${escapeHtml(s.end)}</h3><p>${escapeHtml(s.summary)}</p>
<table><thead><tr><th class="num">step</th><th>phase</th><th class="num">${escapeHtml(r.knob)}</th><th>verdict</th><th class="num">offered</th><th class="num">acked</th><th class="num">e2e p50</th><th class="num">e2e p99</th><th class="num">lost</th><th>why</th><th></th></tr></thead><tbody>${s.steps.map((st) => stepRow(r, st)).join("")}</tbody></table>`,
    )
    .join("\n");
  const chart = {
    id: "capacity-latency",
    title: "Latency against load",
    note: "Each step's corrected end-to-end p99 (log axis), coloured by verdict; the green rule is the answer.",
    spec: capacitySpec(r),
  };
  const o = r.options;
  const body = `
<header><h1>faultbench capacity: ${escapeHtml(r.scenario)}</h1>
<div class="meta">engine ${escapeHtml(r.engine)} · started ${escapeHtml(r.startedAt)} · SLOs: ${escapeHtml(r.slos.join(", "))}, and the engine keeps up (acked and delivered ≥ 95% of offered)</div></header>
${answer}
${figures}
${spread}
<p class="meta">Search: ${escapeHtml(r.knob)} from ${escapeHtml(level(r, o.start))}, ×${escapeHtml(o.factor)} until a step breaks an SLO, then bisection to within ${escapeHtml(o.precision * 100)}%; each step a real run with ${escapeHtml(ms(o.warmupMs))} warmup and ${escapeHtml(ms(o.measuredMs))} measured; at most ${escapeHtml(o.maxSteps)} steps. A harness-bound step ends the search: its figures belong to the load path, not the engine.</p>
<div class="charts">${chartFigure(chart)}</div>
<h2>Steps</h2>
${tables}`;
  return page({ title: `capacity ${r.scenario} — faultbench`, body, charts: [chart] });
}

export function writeCapacityReport(dir: string, result?: CapacityResult): string {
  const r = result ?? (JSON.parse(readFileSync(join(dir, "capacity.json"), "utf8")) as CapacityResult);
  const out = join(dir, "capacity.html");
  writeFileSync(out, capacityHtml(r));
  return out;
}
