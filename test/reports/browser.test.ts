// Opens a per-run report, a suite index and a side-by-side comparison in headless Chromium with the
// network cut off (every non-file request is blocked and recorded), and checks what a reader sees:
// no console errors, no alert from the hostile text, every chart drew marks, the printed figures
// match results.json, and a tooltip appears on hover. Screenshots are kept in a temp dir for review.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Results } from "../../harness/results/types.ts";
import { writeCompare } from "../../reports/build-compare.ts";
import { writeIndex } from "../../reports/build-index.ts";
import { writeReport } from "../../reports/build-report.ts";
import { SCENARIO_YAML, sampleOps, syntheticResults, writeRunDir } from "./helpers/fixtures.ts";

/**
 * The browser: FAULTBENCH_CHROMIUM, else Debian's chromium when installed (CI installs it), else
 * the Chromium binary that the @sparticuz/chromium dev dependency ships inside its npm tarball
 * (unpacked into the temp dir on first use, no download), so `npm ci && npm test` needs only Node.
 */
async function chromiumPath(): Promise<string> {
  const env = process.env.FAULTBENCH_CHROMIUM;
  if (env) return env;
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    const { default: packaged } = await import("@sparticuz/chromium");
    return packaged.executablePath();
  }
}

const tmp = mkdtempSync(join(tmpdir(), "fb-browser-"));
const shots = join(tmpdir(), "faultbench-report-screenshots");
let browser: Browser;
const runs: Record<string, Results> = {};
const pages: Record<string, string> = {};

before(async () => {
  const suite = join(tmp, "suite");
  const crash = syntheticResults({ scenario: "crash" });
  const calm = { ...syntheticResults({ scenario: "calm", lost: 0 }), status: "passed" as const, faults: [] };
  runs.crash = crash;
  runs.calm = calm;
  writeRunDir(join(suite, "crash"), crash, { scenarioYaml: SCENARIO_YAML });
  // An older results.json: channel fill comes back from the history on rebuild.
  writeRunDir(join(suite, "calm"), syntheticResults({ scenario: "calm", old: true }), {
    history: sampleOps(),
  });
  writeFileSync(join(suite, "calm", "results.json"), JSON.stringify({ ...calm, nodes: undefined }));
  writeFileSync(join(suite, "suite.json"), JSON.stringify([{ runDir: "crash" }, { runDir: "calm" }]));
  const cand = writeRunDir(join(tmp, "candidate"), syntheticResults({ scenario: "crash", slower: 1.5 }));
  pages.report = await writeReport(join(suite, "crash"));
  await writeReport(join(suite, "calm"));
  pages.index = writeIndex(suite);
  pages.compare = await writeCompare(join(suite, "crash"), cand);
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: await chromiumPath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
});

after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
  blocked: string[];
  dialogs: string[];
  renderMs: number;
}

async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const o: Opened = { page, errors: [], blocked: [], dialogs: [], renderMs: 0 };
  page.on("console", (m) => {
    if (m.type() === "error") o.errors.push(m.text());
  });
  page.on("pageerror", (e) => o.errors.push(e.message));
  page.on("dialog", (d) => {
    o.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    o.blocked.push(url);
    return route.abort();
  });
  const t0 = Date.now();
  await page.goto(pathToFileURL(file).href);
  // Page-side code is passed as source text: this project compiles without the DOM library.
  await page.waitForFunction('document.documentElement.dataset.charts !== "pending"', null, {
    timeout: 15_000,
  });
  o.renderMs = Date.now() - t0;
  return o;
}

/** Per chart element: how many vega mark items it drew. */
function markCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate(`(() => {
    const out = {};
    for (const el of document.querySelectorAll("[data-chart]")) {
      out[el.id] = el.querySelectorAll("svg g.role-mark > path, svg g.role-mark > text, svg g.role-mark > line").length;
    }
    return out;
  })()`);
}

function assertClean(o: Opened, charts: number): Promise<void> {
  return (async () => {
    assert.equal(await o.page.evaluate("document.documentElement.dataset.charts"), "rendered");
    assert.deepEqual(o.errors, [], "no console errors");
    assert.deepEqual(o.blocked, [], "no request left the page");
    assert.deepEqual(o.dialogs, [], "no script from the data ran");
    const counts = await markCounts(o.page);
    assert.equal(Object.keys(counts).length, charts, JSON.stringify(counts));
    for (const [id, n] of Object.entries(counts)) assert.ok(n > 0, `${id} drew ${n} marks`);
    assert.equal(await o.page.evaluate("Object.keys(window.faultbenchViews).length"), charts);
  })();
}

/** The number a figure's text shows, and how far off rounding can make it. */
function parseShown(text: string): { value: number | null; tolerance: number } {
  // "never" (no recovery) and "—" (a figure that is null, e.g. no detection) stand for null.
  if (text === "never" || text === "—") return { value: null, tolerance: 0 };
  const num = text.replace(/,/g, "").match(/-?\d+(\.\d+)?/)?.[0];
  assert.ok(num, `a number in ${JSON.stringify(text)}`);
  const decimals = num.split(".")[1]?.length ?? 0;
  return { value: Number(num), tolerance: 0.5 * 10 ** -decimals + 1e-9 };
}

function at(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], obj);
}

describe("reports in chromium, offline", () => {
  test("per-run report: verdict, figures equal to results.json, every chart drawn, tooltips", async (t) => {
    const o = await open(pages.report as string);
    t.diagnostic(`report rendered in ${o.renderMs} ms`);
    await assertClean(o, 7);
    const { page } = o;
    assert.equal(await page.locator(".banner").getAttribute("data-status"), "failed");
    const figures = await page.$$eval("[data-path]", (els) =>
      els.map((e) => [e.getAttribute("data-path") as string, e.textContent ?? ""]),
    );
    assert.ok(figures.length >= 40, `${figures.length} figures`);
    for (const [path, text] of figures) {
      const { value, tolerance } = parseShown(text as string);
      const expected = at(runs.crash, path as string);
      if (value === null) assert.equal(expected, null, path);
      else
        assert.ok(
          Math.abs((expected as number) - value) <= tolerance,
          `${path}: page ${text}, results ${expected}`,
        );
    }
    // A tooltip on hover: over a point of the throughput line.
    const point = page.locator("#chart-throughput g.mark-symbol path").nth(30);
    await point.hover({ force: true });
    await page.waitForSelector("#vg-tooltip-element.visible", { timeout: 3000 });
    assert.match((await page.locator("#vg-tooltip-element").textContent()) ?? "", /messages\/s/);
    await page.screenshot({ path: join(shots, "report.png"), fullPage: true });
    t.diagnostic(`screenshot: ${join(shots, "report.png")}`);
    await page.close();
  });

  test("suite index: one row per scenario with its figures, the matrix, charts drawn", async (t) => {
    const o = await open(pages.index as string);
    t.diagnostic(`index rendered in ${o.renderMs} ms`);
    await assertClean(o, 2);
    const rows = await o.page.$$eval("tr[data-run]", (trs) =>
      trs.map((tr) =>
        Object.fromEntries(
          [...tr.querySelectorAll("[data-field]")].map((c) => [c.getAttribute("data-field"), c.textContent]),
        ),
      ),
    );
    assert.deepEqual(
      rows.map((r) => r.status),
      ["failed", "passed"],
    );
    const crash = runs.crash as Results;
    assert.equal(rows[0]?.lost, "1,234");
    assert.equal(rows[0]?.worstRecoveryMs, "never");
    assert.equal(rows[1]?.worstRecoveryMs, "— (no faults)");
    assert.equal(parseShown(rows[0]?.ackedPerSec as string).value, Math.round(crash.throughput.ackedPerSec));
    assert.equal(await o.page.locator("table.matrix td .cell").count(), 2);
    // The links lead to the reports that were built.
    const href = await o.page.locator("tr[data-run] a").first().getAttribute("href");
    assert.equal(href, "crash/report.html");
    await o.page.screenshot({ path: join(shots, "index.png"), fullPage: true });
    await o.page.close();
  });

  test("side by side: both runs on each chart, the differences as text", async (t) => {
    const o = await open(pages.compare as string);
    t.diagnostic(`comparison rendered in ${o.renderMs} ms`);
    await assertClean(o, 7);
    const worse = await o.page.locator("table.diff td.worse").count();
    assert.ok(worse >= 4, `${worse} figures called worse for a 1.5× slower candidate`);
    // Both runs' data reached the throughput view.
    const seriesRuns = await o.page.evaluate(`(() => {
      const v = window.faultbenchViews["cmp-throughput"];
      const all = [];
      for (let i = 0; i < 8; i++) {
        try { all.push(...v.data("data_" + i)); } catch {}
      }
      return [...new Set(all.map((d) => d.run).filter(Boolean))].sort();
    })()`);
    assert.deepEqual(seriesRuns, ["baseline", "candidate"]);
    await o.page.screenshot({ path: join(shots, "compare.png"), fullPage: true });
    await o.page.close();
  });
});
