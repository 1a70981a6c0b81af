import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { diffRows, judge, writeCompare } from "../../reports/build-compare.ts";
import { HOSTILE, syntheticResults, writeRunDir } from "./helpers/fixtures.ts";

const tmp = mkdtempSync(join(tmpdir(), "fb-compare-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("differences are called better or worse past the noise margin, in the right direction", () => {
  const b = syntheticResults();
  const c = syntheticResults({ slower: 2, lost: 1300 });
  c.throughput.ackedPerSec = b.throughput.ackedPerSec * 1.02;
  const rows = new Map(diffRows(b, c).map((r) => [r.label, r]));
  const j = (l: string) => judge(rows.get(l) as NonNullable<ReturnType<typeof rows.get>>);
  assert.equal(j("end to end p99 (from intended send)"), "worse");
  assert.equal(j("throughput acked"), "", "2% is noise");
  assert.equal(j("delivery lost"), "worse");
  assert.equal(j("delivery duplicated"), "");
  assert.equal(j("fault kill-a1: recovery"), "", "never against never");
  const better = diffRows(c, b);
  assert.equal(judge(better.find((r) => r.label === "delivery lost") as (typeof better)[0]), "better");
  const fault = { ...b, faults: b.faults.map((f) => ({ ...f, recoveryMs: 10 })) };
  const faultSlower = { ...b, faults: b.faults.map((f) => ({ ...f, recoveryMs: 30 })) };
  const fr = diffRows(fault, faultSlower).find((r) => r.label === "fault kill-a1: recovery");
  assert.equal(judge(fr as (typeof better)[0]), "", "20 ms more recovery is below the 50 ms floor");
});

test("compare.html lands in the candidate's directory by default, both runs on shared charts", async () => {
  const base = writeRunDir(join(tmp, "base"), syntheticResults());
  const cand = writeRunDir(join(tmp, "cand"), syntheticResults({ slower: 2, scenario: "other" }));
  const out = await writeCompare(base, cand);
  assert.equal(out, join(cand, "compare.html"));
  const html = readFileSync(out, "utf8");
  assert.ok(!html.includes(HOSTILE));
  assert.match(html, /Different scenarios/);
  assert.match(
    html,
    /<th>end to end p99 \(from intended send\)<\/th><td class="num">[^<]+<\/td><td class="num">[^<]+<\/td><td class="num worse">\+/,
  );
  for (const id of [
    "throughput",
    "latency-time",
    "latency-distribution",
    "delivery",
    "recovery",
    "channel-fill",
  ])
    assert.match(html, new RegExp(`id="cmp-${id}"`));
  assert.match(html, /"run":"baseline"/);
  assert.match(html, /"run":"candidate"/);
});
