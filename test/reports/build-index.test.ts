import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  designMatrix,
  designOf,
  faultKindsOf,
  type SuiteRun,
  worstRecovery,
  writeIndex,
} from "../../reports/build-index.ts";
import { HOSTILE, SCENARIO_YAML, syntheticResults, writeRunDir } from "./helpers/fixtures.ts";

const tmp = mkdtempSync(join(tmpdir(), "fb-index-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const agent = (type: string) => ({
  topology: { agents: { a1: { channel: { type } }, a2: { channel: { type } } } },
});

test("design: engine plus channel type for agents, acks wherever a log scenario puts it", () => {
  const r = syntheticResults();
  assert.equal(designOf(r, agent("file")), "agent · file channel · fsync per transaction");
  assert.equal(
    designOf(r, { topology: { agents: { a1: { channel: { type: "file" } }, a2: { channel: {} } } } }),
    "agent · file+memory channels · fsync per transaction",
  );
  assert.equal(
    designOf(r, {
      topology: { agents: { a1: { channel: { type: "file", fsyncPerTransaction: false } } } },
    }),
    "agent · file channel · no fsync per transaction",
  );
  assert.equal(designOf(r, agent("memory")), "agent · memory channel");
  assert.equal(
    designOf({ ...r, engine: "log" }, { workload: { producer: { acks: "all" } } }),
    "log · acks=all · page-cache flush",
  );
  assert.equal(
    designOf({ ...r, engine: "log" }, { topology: { replicationFactor: 3 }, producer: { acks: 1 } }),
    "log · acks=1 · replicationFactor=3 · page-cache flush",
  );
  // Page cache and fsync are separate cells of the design matrix.
  assert.equal(
    designOf(
      { ...r, engine: "log" },
      { topology: { config: { "flush.messages": 1 } }, workload: { acks: 1 } },
    ),
    "log · acks=1 · flush.messages=1",
  );
  assert.equal(designOf(r), "agent");
});

test("fault kinds and worst recovery", () => {
  const r = syntheticResults();
  assert.equal(faultKindsOf(r), "kill + pause");
  assert.equal(faultKindsOf({ ...r, faults: [] }), "no fault");
  assert.equal(
    faultKindsOf({ ...r, faults: [] }, { faults: [{ kind: "slow" }] }),
    "slow",
    "a fault that never ran",
  );
  assert.equal(worstRecovery(r), "never");
  assert.equal(worstRecovery({ ...r, faults: [] }), null);
  assert.equal(
    worstRecovery({ ...r, faults: r.faults.map((f) => ({ ...f, recoveryMs: f.recoveryMs ?? 50 })) }),
    1200.5,
  );
});

test("the matrix puts each scenario in one cell: same faults, different designs side by side", () => {
  const runs: SuiteRun[] = [
    { runDir: "m", results: syntheticResults({ scenario: "crash-memory" }), scenario: agent("memory") },
    { runDir: "f", results: syntheticResults({ scenario: "crash-file", lost: 0 }), scenario: agent("file") },
    {
      runDir: "b",
      results: { ...syntheticResults({ scenario: "baseline", lost: 0 }), faults: [] },
      scenario: agent("memory"),
    },
    {
      runDir: "l",
      results: { ...syntheticResults({ scenario: "log-acks-all", lost: 0 }), engine: "log" },
      scenario: { acks: "all" },
    },
  ];
  const html = designMatrix(runs);
  const rows = html.split("<tr>").slice(1);
  assert.match(rows[0] as string, /agent · file channel.*agent · memory channel.*log · acks=all/);
  assert.match(rows[1] as string, /^<th>no fault<\/th><td>.*—.*<\/td><td>.*baseline.*<\/td><td>.*—/s);
  const kill = rows[2] as string;
  assert.match(kill, /^<th>kill \+ pause<\/th>/);
  const cells = kill.split("<td>").slice(1);
  assert.match(cells[0] as string, /crash-file.*lost <b>0<\/b>/s);
  assert.match(cells[1] as string, /crash-memory.*lost <b class="bad">1,234<\/b>/s);
  assert.match(cells[2] as string, /log-acks-all/);
  assert.match(kill, /recovery never/);
});

test("index.html: one row per scenario in suite.json's order, links to each report, all escaped", () => {
  const suite = join(tmp, "suite");
  writeRunDir(join(suite, "r1"), syntheticResults({ scenario: "one" }), { scenarioYaml: SCENARIO_YAML });
  writeRunDir(join(suite, "r2"), { ...syntheticResults({ scenario: "two", lost: 0 }), status: "passed" });
  writeFileSync(join(suite, "suite.json"), JSON.stringify([{ runDir: "r2" }, { runDir: "r1" }]));
  const out = writeIndex(suite);
  assert.equal(out, join(suite, "index.html"));
  const html = readFileSync(out, "utf8");
  assert.ok(!html.includes(HOSTILE));
  const rows = [...html.matchAll(/<tr data-run="\d">\s*<td><a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [
    m[1],
    m[2],
  ]);
  assert.deepEqual(rows, [
    ["r2/report.html", "two"],
    ["r1/report.html", "one"],
  ]);
  assert.match(html, /1 of 2 scenarios passed/);
  assert.match(html, /id="suite-latency"/);
  assert.match(html, /id="suite-recovery"/);
});

test("a folder that is no suite is a clear FB_RUN_DIR error", () => {
  assert.throws(() => writeIndex(join(tmp, "nothing-here")), /not a suite directory/);
});
