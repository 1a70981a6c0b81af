import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { reportHtml, verdictReason, writeReport } from "../../reports/build-report.ts";
import {
  HOSTILE,
  HOSTILE_LOG,
  SCENARIO_YAML,
  sampleOps,
  syntheticResults,
  writeRunDir,
} from "./helpers/fixtures.ts";

const tmp = mkdtempSync(join(tmpdir(), "fb-report-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The text of each element tagged with data-path, by path. */
function figures(html: string): Map<string, string> {
  return new Map(
    [...html.matchAll(/data-path="([^"]+)">([^<]*)</g)].map((m) => [m[1] as string, m[2] as string]),
  );
}

test("the report escapes everything from the scenario, the configs and the logs", async () => {
  const dir = writeRunDir(join(tmp, "hostile"), syntheticResults(), { scenarioYaml: SCENARIO_YAML });
  const out = await writeReport(dir);
  assert.equal(out, join(dir, "report.html"));
  const html = readFileSync(out, "utf8");
  assert.ok(!html.includes(HOSTILE));
  assert.ok(!html.includes(HOSTILE_LOG));
  assert.ok(
    html.includes("tail of a1: &lt;/script&gt;&lt;script&gt;alert(&#39;log&#39;)&lt;/script&gt;&lt;!-- x"),
  );
  assert.equal(html.match(/<script/gi)?.length, 5);
  assert.equal(html.match(/<\/script>/gi)?.length, 5);
  assert.match(
    html,
    /stall &lt;script&gt;alert\(1\)&lt;\/script&gt;/,
    "the fault name, escaped, in the faults table",
  );
});

test("verdict, key numbers and expectations are on the page as text", () => {
  const r = syntheticResults();
  const html = reportHtml({ dir: "x", results: r, configs: [], logs: [] });
  assert.match(html, /<div class="banner failed" data-status="failed">/);
  assert.match(html, /FAILED — synthetic-crash/);
  assert.equal(
    verdictReason(r),
    "2 of 3 checks did not hold: expect delivery.lost == 0; expect faults.kill-a1.recoveryMs < 5s",
  );
  const f = figures(html);
  assert.equal(f.get("throughput.ackedPerSec"), "812/s");
  assert.equal(f.get("delivery.lost"), "1,234");
  assert.equal(f.get("latency.endToEnd.corrected.p99"), `${r.latency.endToEnd.corrected.p99.toFixed(2)} ms`);
  assert.equal(f.get("faults.0.recoveryMs"), "1,201 ms");
  assert.equal(f.get("faults.1.recoveryMs"), "never");
  assert.equal(html.match(/data-valid="false"/g)?.length, 2);
  for (const id of [
    "throughput",
    "latency-time",
    "latency-distribution",
    "delivery",
    "recovery",
    "channel-fill",
  ])
    assert.match(html, new RegExp(`id="chart-${id}"`));
});

test("the recovery section shows incidents, per-fault latency before/during/after, and a fault not applied", () => {
  const r = syntheticResults();
  const tail = { count: 10, p50: 2, p99: 9, max: 12 };
  r.faults[0] = { ...(r.faults[0] as (typeof r.faults)[number]), overlapsWith: ["kill-a1"] };
  r.faults[1] = {
    ...(r.faults[1] as (typeof r.faults)[number]),
    overlapsWith: [`stall ${HOSTILE}`],
    lost: 1234,
    restartMs: 480,
    latency: {
      before: { endToEnd: tail, publishAttempts: tail },
      during: { endToEnd: { ...tail, p99: 2009 }, publishAttempts: null },
      after: null,
    },
  };
  r.faults.push({
    ...(r.faults[1] as (typeof r.faults)[number]),
    name: "refused",
    applied: false,
    optional: true,
    error: "toxic failed: already exists",
  });
  r.incidents = [
    {
      faults: [`stall ${HOSTILE}`, "kill-a1"],
      startMs: 6000,
      endMs: 10000,
      detectMs: 1500,
      unavailableMs: 2500,
      maxAckGapMs: 2600,
      recoveryMs: 300,
      lost: 1234,
      duplicated: 5,
      latency: { before: null, during: { endToEnd: null, publishAttempts: null }, after: null },
      baseline: null,
    },
  ];
  r.lossAttribution = { rule: "first destroying fault after the ack", unattributed: 0 };
  const html = reportHtml({ dir: "x", results: r, configs: [], logs: [] });
  const f = figures(html);
  assert.equal(f.get("incidents.0.lost"), "1,234");
  assert.equal(f.get("incidents.0.unavailableMs"), "2,500 ms");
  assert.equal(f.get("faults.1.restartMs"), "480.0 ms");
  assert.equal(f.get("faults.1.lost"), "1,234");
  assert.match(html, /<h3>Incidents<\/h3>/);
  assert.match(html, /not applied \(optional\): toxic failed: already exists/);
  assert.match(html, /2\.00 ms \/ 2,009 ms \/ 12\.0 ms/);
  assert.ok(!html.includes(HOSTILE), "the hostile fault name is escaped everywhere");
});

test("an errored run says why; a run without faults or samples leaves those charts out", () => {
  const r = { ...syntheticResults({ old: true }), status: "errored" as const, faults: [] };
  r.error = { code: "FB_ENGINE_CRASHED", message: `a1 exited unexpectedly ${HOSTILE}` };
  const html = reportHtml({ dir: "x", results: r, configs: [], logs: [] });
  assert.match(html, /The run itself broke: a1 exited unexpectedly &lt;script&gt;/);
  assert.doesNotMatch(html, /id="chart-recovery"|id="chart-channel-fill"/);
  assert.match(html, /No faults were injected/);
});

test("offline rebuild: an older results.json gets channel fill from history.ndjson", async () => {
  const dir = writeRunDir(join(tmp, "old"), syntheticResults({ old: true }), { history: sampleOps() });
  await writeReport(dir, { out: join(tmp, "old.html") });
  assert.ok(existsSync(join(tmp, "old.html")));
  assert.ok(!existsSync(join(dir, "report.html")), "--out is honoured");
  const html = readFileSync(join(tmp, "old.html"), "utf8");
  assert.match(html, /id="chart-channel-fill"/);
  assert.match(html, /\{"run":"synthetic-crash","node":"a1","t":9,"fillPct":9,"size":90\}/);
});

test("a directory without results.json is a clear FB_RUN_DIR error", async () => {
  await assert.rejects(writeReport(tmp), (e: Error & { code?: string }) => {
    assert.equal(e.code, "FB_RUN_DIR");
    assert.match(e.message, /not a run directory \(no results\.json\)/);
    return true;
  });
});
