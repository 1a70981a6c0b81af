import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { compareSets } from "../../../harness/compare/compare.ts";
import { benchmarkEntries } from "../../../reports/gate/benchmark-json.ts";
import { compareJunit } from "../../../reports/gate/junit.ts";
import { compareMarkdown } from "../../../reports/gate/markdown.ts";
import { writeGate } from "../../../reports/gate/write-gate.ts";
import { runsOf, setOf } from "../../helpers/gate-samples.ts";

const tmp = mkdtempSync(join(tmpdir(), "fb-gate-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const hostile = 'x<script>alert(1)</script>&"|';
const regressed = () =>
  compareSets(
    setOf([...runsOf(5, 1), ...runsOf(5, 3, { scenario: hostile })]),
    setOf([...runsOf(5, 2, { plantedMs: 5 }), ...runsOf(5, 4, { scenario: hostile })]),
  );

describe("what CI reads", () => {
  test("compare.md: the verdict first, regressions first, every number in the row", () => {
    const md = compareMarkdown(regressed());
    const lines = md.split("\n");
    assert.match(lines[0] ?? "", /❌ faultbench regression gate: REGRESSION: quiet: .*end-to-end p50/);
    const table = lines.filter((l) => l.startsWith("| "));
    assert.match(
      table[0] ?? "",
      /\| scenario \| figure \| baseline \| candidate \| change \| interval \| p \| threshold \| verdict \|/,
    );
    const first = table[2] ?? "";
    assert.match(first, /quiet .*regression/);
    assert.match(first, /\+\d+\.\d%/);
    assert.match(first, /0\.008/);
    // Regressions come before everything else.
    const verdicts = table.slice(2).map((l) => (/regression/.test(l) ? 0 : 1));
    assert.deepEqual(verdicts, [...verdicts].sort());
    // A pipe in a scenario name does not break the table.
    assert.ok(md.includes('x<script>alert(1)</script>&"\\|'));
  });

  test("junit.xml: one case per scenario × figure, failures carry the numbers, text escaped", () => {
    const c = regressed();
    const xml = compareJunit(c);
    const cases = xml.match(/<testcase /g)?.length ?? 0;
    const figures = c.scenarios.reduce((a, s) => a + s.figures.length, 0);
    assert.equal(cases, figures);
    assert.match(
      xml,
      /<testsuites name="faultbench regression gate" tests="\d+" failures="[1-9]\d*" errors="0">/,
    );
    assert.match(
      xml,
      /<failure message="regression: worse by [\d.]+%, past the \d+\.\d% threshold, p = 0\.0079 &lt; 0\.05">baseline [\d.]+ ms \(n=5\), candidate/,
    );
    assert.ok(!xml.includes("<script>"));
    assert.ok(xml.includes("x&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;|"));
  });

  test("benchmark.json: smaller-is-better and bigger-is-better entries apart", () => {
    const { smaller, bigger } = benchmarkEntries(regressed());
    assert.ok(bigger.every((e) => /throughput/.test(e.name) && e.unit === "msg/s"));
    const p50 = smaller.find((e) => e.name === "quiet latency.endToEnd.corrected.p50");
    assert.ok(p50 && p50.unit === "ms" && p50.value > 5 && /range|\.\./.test(`${p50.range}`));
    assert.match(p50?.extra ?? "", /median of 5 run\(s\); baseline .*regression/);
  });

  test("writeGate writes the four files; the page escapes scenario text", async () => {
    const files = await writeGate(regressed(), join(tmp, "out"));
    const html = readFileSync(files.html, "utf8");
    assert.ok(!html.includes(hostile));
    assert.match(html, /REGRESSION/);
    assert.ok(JSON.parse(readFileSync(files.benchmark, "utf8")).length > 0);
    assert.match(readFileSync(files.junit, "utf8"), /^<\?xml/);
    assert.match(readFileSync(files.markdown, "utf8"), /regression gate/);
  });
});
