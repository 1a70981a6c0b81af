/**
 * `faultbench trend <dir-of-runs>`: each key figure of each scenario over commits, one Vega-Lite
 * chart per scenario and figure on a self-contained page (offline, like every report), with the
 * change points the lookback z-score flagged drawn in red. Clicking a point opens the report of
 * that commit's median run. Also writes trend.json with every point.
 */

import { writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { FaultbenchError } from "../../harness/errors.ts";
import { type Chart, chartFigure, escapeHtml, page } from "../html.ts";
import { frame, type Spec } from "../specs/common.ts";
import { findRuns, TREND_FIGURES, type TrendPoint, trendPoints } from "./trend-data.ts";

export function trendSpec(points: readonly TrendPoint[], unit: string, pageDir: string): Spec {
  const values = points.map((p) => ({
    commit: p.commit.slice(0, 10),
    index: p.index,
    value: p.value,
    runs: p.runs,
    at: p.at,
    z: p.z === null ? "—" : p.z.toFixed(2),
    changed: p.changed ? "change point" : "",
    // A relative link: the page and the runs move together.
    href: p.report === null ? null : encodeURI(relative(pageDir, p.report)),
  }));
  const x = {
    field: "index",
    type: "quantitative",
    title: "commit (in the order first run)",
    axis: { tickMinStep: 1 },
  };
  const tooltip = [
    { field: "commit", title: "commit" },
    { field: "at", title: "first run" },
    { field: "value", title: unit, format: ",.2f" },
    { field: "runs", title: "runs" },
    { field: "z", title: "lookback z" },
    { field: "changed", title: "flag" },
  ];
  return {
    ...frame(180),
    data: { values },
    layer: [
      {
        mark: { type: "line", color: "#57606a" },
        encoding: { x, y: { field: "value", type: "quantitative", title: unit } },
      },
      {
        mark: { type: "point", filled: true, size: 70, cursor: "pointer" },
        encoding: {
          x,
          y: { field: "value", type: "quantitative" },
          color: {
            field: "changed",
            type: "nominal",
            title: null,
            scale: { domain: ["", "change point"], range: ["#0969da", "#cf222e"] },
            legend: null,
          },
          href: { field: "href" },
          tooltip,
        },
      },
    ],
  };
}

export function writeTrend(
  root: string,
  opts: { out?: string; threshold?: number } = {},
): { out: string; points: TrendPoint[] } {
  const runs = findRuns(root);
  if (runs.length === 0)
    throw new FaultbenchError(
      "FB_RUN_DIR",
      `${root}: no run directories (results.json) found in it or below`,
    );
  const points = trendPoints(runs, opts.threshold ?? 5);
  const out = opts.out ?? join(root, "trend.html");
  const pageDir = dirname(out);
  const charts: Chart[] = [];
  const scenarios = [...new Set(points.map((p) => p.scenario))];
  scenarios.forEach((s, si) => {
    TREND_FIGURES.forEach((f, fi) => {
      const mine = points.filter((p) => p.scenario === s && p.figure === f.path);
      if (mine.length === 0) return;
      const flagged = mine.filter((p) => p.changed).map((p) => p.commit.slice(0, 10));
      const c: Chart = {
        id: `trend-${si}-${fi}`,
        title: `${s}: ${f.label}`,
        note:
          flagged.length > 0
            ? `change point at ${flagged.join(", ")}`
            : `${mine.length} commit(s); no change point`,
        spec: trendSpec(mine, f.unit, pageDir),
      };
      charts.push(c);
    });
  });
  const flagged = points.filter((p) => p.changed);
  const body = `
<header><h1>faultbench trend</h1></header>
<p class="note">${escapeHtml(runs.length)} runs under ${escapeHtml(root)}, ${escapeHtml(scenarios.length)} scenario(s). Each point is the median of one commit's runs; a red point is a change point (|lookback z| ≥ ${escapeHtml(opts.threshold ?? 5)} against up to 100 earlier commits, outliers beyond 10 IQR dropped, as Conbench does). Click a point to open that commit's report.</p>
${flagged.length > 0 ? `<ul>${flagged.map((p) => `<li>${escapeHtml(`${p.scenario} ${p.figure}: ${p.value} at ${p.commit.slice(0, 10)} (z ${p.z?.toFixed(1)})`)}</li>`).join("")}</ul>` : "<p>No change points.</p>"}
<div class="charts">${charts.map(chartFigure).join("\n")}</div>
`;
  writeFileSync(out, page({ title: "trend — faultbench", body, charts }));
  writeFileSync(join(pageDir, "trend.json"), `${JSON.stringify(points, null, 2)}\n`);
  return { out, points };
}
