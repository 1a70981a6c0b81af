/**
 * The HTML side of every report: escaping, the page shell, and the vega, vega-lite and vega-embed
 * bundles inlined so a report opens offline and makes no request at all (a Content-Security-Policy
 * forbids any fetch, so a regression here fails loudly in the browser instead of leaking).
 *
 * Everything that comes from a scenario, a config, a log or results.json reaches the page through
 * `escapeHtml` (text and attributes) or `jsonForScript` (chart specs); nothing else is trusted.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * JSON that is safe inside a `<script type="application/json">` element: `<`, `>` and `&` become
 * \u escapes (so no `</script>` or `<!--` can appear), as do U+2028/U+2029. JSON.parse reads it
 * back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Makes JavaScript source safe to inline in a `<script>` element. `</script` and `<!--` can only
 * occur inside string or regex literals in these bundles, where `<\/` and `<\!` mean the same.
 */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

const require = createRequire(import.meta.url);
let bundles: string | undefined;

/**
 * The three UMD bundles as inline script elements (they define the globals vega, vegaLite and
 * vegaEmbed, in that order of dependency). Their `exports` maps hide build/, so each path is found
 * next to the package's entry point, which lives in build/ (libraries.md §5).
 */
export function vegaBundles(): string {
  if (bundles === undefined) {
    const files = [
      join(dirname(require.resolve("vega")), "vega.min.js"),
      join(dirname(require.resolve("vega-lite")), "vega-lite.min.js"),
      join(dirname(require.resolve("vega-embed")), "vega-embed.min.js"),
    ];
    bundles = files.map((f) => `<script>${inlineScript(readFileSync(f, "utf8"))}</script>`).join("\n");
  }
  return bundles;
}

/** A chart on the page: a Vega-Lite spec rendered into its own element. */
export interface Chart {
  /** Element id; only [a-z0-9-], chosen by the builder, never from input. */
  id: string;
  title: string;
  /** One line under the title saying what to look for. */
  note: string;
  spec: Record<string, unknown>;
}

export function chartFigure(c: Chart): string {
  if (!/^[a-z0-9-]+$/.test(c.id)) throw new Error(`chart id ${JSON.stringify(c.id)} must be [a-z0-9-]`);
  return `<figure class="chart-figure">
<figcaption><h3>${escapeHtml(c.title)}</h3><p class="note">${escapeHtml(c.note)}</p></figcaption>
<div class="chart" id="${c.id}" data-chart="${c.id}"></div>
</figure>`;
}

// Draws every chart, records the outcome on <html data-charts="rendered|failed"> for tests and
// keeps the views on window.faultbenchViews. A chart that fails says so in place and logs an error.
const EMBED_SCRIPT = `
(async () => {
  const specs = JSON.parse(document.getElementById("fb-specs").textContent);
  const views = {};
  let failed = 0;
  for (const [id, spec] of Object.entries(specs)) {
    const el = document.getElementById(id);
    try {
      const r = await vegaEmbed(el, spec, {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
      });
      views[id] = r.view;
    } catch (e) {
      failed++;
      el.textContent = "This chart could not be drawn: " + (e && e.message ? e.message : e);
      console.error("faultbench: chart " + id + " failed:", e);
    }
  }
  window.faultbenchViews = views;
  document.documentElement.dataset.charts = failed ? "failed" : "rendered";
})();
`;

const CSS = `
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
  margin: 0 auto; max-width: 1180px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0; } p.note { margin: 2px 0 6px; color: var(--muted); font-size: 12.5px; }
.banner { border-radius: 8px; padding: 12px 16px; color: #fff; margin: 8px 0 12px; }
.banner.passed { background: var(--ok); } .banner.failed { background: var(--bad); } .banner.errored { background: var(--warn); }
.banner .verdict { font-size: 20px; font-weight: 700; letter-spacing: .02em; }
.banner .why { margin-top: 4px; white-space: pre-wrap; }
.desc { white-space: pre-wrap; color: #333; }
.meta { color: var(--muted); font-size: 12.5px; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; } .unknown { color: var(--warn); font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 8px 24px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 18px 24px; }
.chart-figure { margin: 0; min-width: 0; } .chart { width: 100%; min-height: 120px; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; max-height: 360px; font-size: 12px; }
details { margin: 6px 0; } summary { cursor: pointer; }
.better { color: var(--ok); } .worse { color: var(--bad); }
.matrix td { min-width: 180px; } .cell { margin-bottom: 6px; } .cell a { font-weight: 600; }
.vega-embed { width: 100%; } .vega-embed summary { opacity: .6; }
`;

export interface PageOptions {
  title: string;
  /** Page body, already escaped by the caller. */
  body: string;
  charts: readonly Chart[];
}

/** A complete, self-contained HTML document. */
export function page(o: PageOptions): string {
  const specs: Record<string, unknown> = {};
  for (const c of o.charts) specs[c.id] = c.spec;
  const scripts =
    o.charts.length === 0
      ? `<script>document.documentElement.dataset.charts = "rendered";</script>`
      : `${vegaBundles()}
<script type="application/json" id="fb-specs">${jsonForScript(specs)}</script>
<script>${inlineScript(EMBED_SCRIPT)}</script>`;
  return `<!doctype html>
<html lang="en" data-charts="pending">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:">
<title>${escapeHtml(o.title)}</title>
<style>${CSS}</style>
</head>
<body>
${o.body}
${scripts}
</body>
</html>
`;
}
