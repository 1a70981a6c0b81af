/**
 * The sweep page: sweep.json → sweep.html. Three charts: throughput against p99 per design point
 * (the hockey stick, each curve's knee marked), the highest rate under the SLOs per design point,
 * and — when a design dimension is numeric (partitions, brokers, producers, agents) — that rate
 * against it: the scaling curve. Then every point with a link to its run (or search).
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { answerCell } from "../harness/sweep/capacity-table.ts";
import { shortName } from "../harness/sweep/grid.ts";
import { kneeIndex } from "../harness/sweep/knee.ts";
import { maxRates } from "../harness/sweep/run-sweep.ts";
import type { SweepPoint, SweepResult } from "../harness/sweep/types.ts";
import { ms, rate } from "./format.ts";
import { type Chart, chartFigure, escapeHtml, page } from "./html.ts";
import { frame, type Spec } from "./specs/common.ts";

/** Points of each design curve in load order, with the knee flagged. */
export function hockeyData(r: SweepResult) {
  const by = new Map<string, SweepPoint[]>();
  for (const p of r.points) by.set(p.design, [...(by.get(p.design) ?? []), p]);
  return [...by.entries()].flatMap(([design, ps]) => {
    const sorted = [...ps].sort((a, b) => a.offeredPerSec - b.offeredPerSec);
    const k = kneeIndex(sorted.map((p) => ({ throughput: p.ackedPerSec, p99: p.endToEndP99 })));
    return sorted.map((p, i) => ({
      design,
      order: i,
      offered: p.offeredPerSec,
      acked: p.ackedPerSec,
      p99: Math.max(0.01, p.endToEndP99),
      knee: i === k,
      verdict: p.harnessBound ? "harness-bound" : p.sloHeld ? "holds the SLOs" : "breaks an SLO",
    }));
  });
}

export function hockeySpec(r: SweepResult): Spec {
  const values = hockeyData(r);
  const x = { field: "acked", type: "quantitative", title: "acked throughput (messages/s)" };
  const y = {
    field: "p99",
    type: "quantitative",
    scale: { type: "log" },
    title: "end-to-end p99 (ms, corrected)",
  };
  const tooltip = [
    { field: "design" },
    { field: "offered", title: "offered/s", format: ",.0f" },
    { field: "acked", title: "acked/s", format: ",.0f" },
    { field: "p99", title: "p99 ms", format: ".2f" },
    { field: "verdict" },
    { field: "knee" },
  ];
  return {
    ...frame(280),
    layer: [
      {
        data: { values },
        mark: { type: "line", point: { size: 40 } },
        encoding: {
          x,
          y,
          color: { field: "design", type: "nominal", title: null },
          order: { field: "order" },
          tooltip,
        },
      },
      {
        data: { values },
        transform: [{ filter: "datum.knee" }],
        mark: { type: "point", shape: "diamond", size: 220, filled: false, strokeWidth: 2, color: "#1f2328" },
        encoding: { x, y, tooltip },
      },
    ],
  };
}

export function maxRateSpec(r: SweepResult): Spec {
  const values = maxRates(r).map((m) => ({
    design: m.design,
    maxRate: m.maxRate ?? 0,
    note:
      m.maxRate === null
        ? "none held the SLOs"
        : m.harnessBound
          ? "at least (harness-bound above)"
          : "max under the SLOs",
  }));
  return {
    ...frame(Math.max(120, 28 * values.length)),
    data: { values },
    mark: { type: "bar" },
    encoding: {
      y: { field: "design", type: "nominal", title: null, sort: null },
      x: { field: "maxRate", type: "quantitative", title: "highest rate under the SLOs (messages/s)" },
      color: {
        field: "note",
        type: "nominal",
        title: null,
        scale: {
          domain: ["max under the SLOs", "at least (harness-bound above)", "none held the SLOs"],
          range: ["#0969da", "#bf8700", "#cf222e"],
        },
      },
      tooltip: [{ field: "design" }, { field: "maxRate", format: ",.0f" }, { field: "note" }],
    },
  };
}

/** The scaling curve over the first numeric design dimension, or undefined when there is none. */
export function scalingSpec(r: SweepResult): Spec | undefined {
  const dim = r.dimensions.find(
    (d) => d.path !== "workload.rate" && d.values.every((v) => typeof v === "number") && d.values.length > 1,
  );
  if (!dim) return undefined;
  const values = maxRates(r).map((m) => {
    const rest = Object.entries(m.values).filter(([k]) => k !== dim.path);
    const series = [
      r.points.find((p) => p.design === m.design)?.scenario ?? "",
      ...rest.map(([k, v]) => `${shortName(k)}=${v}`),
    ].join(" ");
    return { x: m.values[dim.path] as number, maxRate: m.maxRate ?? 0, series, harnessBound: m.harnessBound };
  });
  const x = { field: "x", type: "quantitative", title: shortName(dim.path), axis: { values: dim.values } };
  return {
    ...frame(240),
    data: { values },
    mark: { type: "line", point: { size: 60, filled: true } },
    encoding: {
      x,
      y: { field: "maxRate", type: "quantitative", title: "highest rate under the SLOs (messages/s)" },
      color: { field: "series", type: "nominal", title: null },
      tooltip: [
        { field: "series" },
        { field: "x", title: shortName(dim.path) },
        { field: "maxRate", format: ",.0f" },
        { field: "harnessBound" },
      ],
    },
  };
}

export function sweepHtml(r: SweepResult): string {
  const charts: Chart[] = [];
  if (!r.capacity)
    charts.push({
      id: "sweep-hockey",
      title: "Throughput against latency",
      note: "One curve per design point, in order of offered rate; the diamond is the knee (the highest throughput whose p99 is within 2× the curve's lowest).",
      spec: hockeySpec(r),
    });
  charts.push({
    id: "sweep-max-rate",
    title: "Highest rate under the SLOs, per design point",
    note: r.capacity
      ? "The answer of a capacity search at each design point."
      : "The highest offered rate of the grid that held every SLO and was not harness-bound.",
    spec: maxRateSpec(r),
  });
  const scaling = scalingSpec(r);
  if (scaling)
    charts.push({
      id: "sweep-scaling",
      title: "Scaling",
      note: "The highest rate under the SLOs against the numeric design dimension.",
      spec: scaling,
    });
  const rows = r.points
    .map((p) => {
      const link = r.capacity ? `${p.dir}/capacity.html` : `${p.dir}/report.html`;
      const verdict = p.harnessBound
        ? `<span class="unknown">harness-bound</span>`
        : p.sloHeld
          ? `<span class="ok">holds</span>`
          : `<span class="bad">breaks</span>`;
      return `<tr><td>${escapeHtml(p.design)}</td><td>${escapeHtml(
        Object.entries(p.values)
          .map(([k, v]) => `${k}=${v}`)
          .join(", "),
      )}</td><td class="num">${escapeHtml(rate(p.offeredPerSec))}</td><td class="num">${escapeHtml(rate(p.ackedPerSec))}</td><td class="num">${escapeHtml(ms(p.endToEndP99))}</td><td class="num">${escapeHtml(p.lost)}</td><td>${verdict}</td>${r.capacity ? `<td class="num">${escapeHtml(answerCell(p))} (${escapeHtml(p.searchEnd ?? "")}${typeof p.machineBusyMaxPct === "number" && p.machineBusyMaxPct >= 80 ? `; machine up to ${Math.round(p.machineBusyMaxPct)}% busy` : ""})</td>` : ""}<td><a href="${escapeHtml(link)}">${r.capacity ? "search" : "report"}</a></td></tr>`;
    })
    .join("");
  const body = `<header><h1>faultbench sweep: ${escapeHtml(r.scenarios.join(", "))}</h1>
<div class="meta">started ${escapeHtml(r.startedAt)} · ${escapeHtml(r.mode)} over ${escapeHtml(r.dimensions.map((d) => `${d.path} = ${d.values.join(", ")}`).join("; ") || "no dimensions")} · SLOs: ${escapeHtml(r.slos.join(", "))}, and the engine keeps up</div></header>
<div class="charts">${charts.map(chartFigure).join("\n")}</div>
<h2>Points</h2>
<table><thead><tr><th>design point</th><th>values</th><th class="num">offered</th><th class="num">acked</th><th class="num">e2e p99</th><th class="num">lost</th><th>SLOs</th>${r.capacity ? `<th class="num">max rate</th>` : ""}<th></th></tr></thead><tbody>${rows}</tbody></table>`;
  return page({ title: `sweep ${r.scenarios.join(", ")} — faultbench`, body, charts });
}

export function writeSweepReport(dir: string, result?: SweepResult): string {
  const r = result ?? (JSON.parse(readFileSync(join(dir, "sweep.json"), "utf8")) as SweepResult);
  const out = join(dir, "sweep.html");
  writeFileSync(out, sweepHtml(r));
  return out;
}
