/**
 * compare.md: the gate's verdict as a Markdown table fit for a pull-request comment or a CI job
 * summary (GitHub renders it as is): one row per scenario × figure, worst first, with both medians,
 * the change, its interval, the p-value, the threshold and the verdict.
 */

import type { Comparison } from "../../harness/compare/compare.ts";
import { ms } from "../format.ts";
import {
  intervalText,
  msInterval,
  orderedRows,
  pct,
  pText,
  signedMs,
  summaryLine,
  thresholdText,
  value,
} from "./rows.ts";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function compareMarkdown(c: Comparison): string {
  const undecided = c.scenarios.some((s) => s.undecided.length > 0);
  const icon = c.exitCode === 1 ? "❌" : c.exitCode === 3 || undecided ? "⚠️" : "✅";
  const runs = (set: Comparison["baseline"]) =>
    `${[...set.scenarios.values()].reduce((a, l) => a + l.length, 0)} runs of ${set.scenarios.size} scenario(s), commit ${set.gitCommit?.slice(0, 10) ?? "unknown"}`;
  const lines = [
    `## ${icon} faultbench regression gate: ${cell(summaryLine(c))}`,
    "",
    `Baseline: \`${cell(c.baseline.dir)}\` (${runs(c.baseline)}). Candidate: \`${cell(c.candidate.dir)}\` (${runs(c.candidate)}).`,
    `A figure regresses when its median moved past the threshold in the worse direction and the Mann–Whitney test gives p < ${c.alpha}; new lost, corrupted, unexpected or failed-but-delivered messages, and checks that held in every baseline run, fail on one run. Intervals: Hodges–Lehmann shift, relative to the baseline median.`,
    "",
  ];
  for (const w of c.warnings) lines.push(`> **Warning:** ${cell(w)}`, "");
  for (const s of c.scenarios)
    for (const w of s.warnings) lines.push(`> **${cell(s.scenario)}:** ${cell(w)}`, "");
  const checks = c.scenarios.flatMap((s) => s.newlyFailedChecks.map((k) => ({ s: s.scenario, ...k })));
  const broken = c.scenarios.flatMap((s) => s.broken.map((b) => ({ s: s.scenario, ...b })));
  if (broken.length > 0) {
    lines.push("**Broken candidate runs** (exit 3):", "");
    for (const b of broken) lines.push(`- ${cell(b.s)}: ${cell(b.message)} (\`${cell(b.dir)}\`)`);
    lines.push("");
  }
  if (checks.length > 0) {
    lines.push("**Checks that held in every baseline run and failed in the candidate:**", "");
    for (const k of checks) lines.push(`- ${cell(k.s)}: \`${cell(k.name)}\` — ${cell(k.detail)}`);
    lines.push("");
  }
  lines.push(
    "| scenario | figure | baseline | candidate | change | interval | p | threshold | verdict |",
    "| --- | --- | ---: | ---: | ---: | :---: | ---: | ---: | --- |",
  );
  for (const f of orderedRows(c)) {
    const v =
      f.verdict === "regression"
        ? "❌ **regression**"
        : f.verdict === "improvement"
          ? "✅ improvement"
          : f.verdict;
    const n = (x: { n: number }) => (x.n > 1 ? ` (n=${x.n})` : "");
    lines.push(
      `| ${cell(f.scenario)} | ${cell(f.spec.label)} | ${value(f, f.base.median)}${n(f.base)} | ${value(f, f.cand.median)}${n(f.cand)} | ${pct(f.change)} | ${intervalText(f)} | ${pText(f.p)} | ${thresholdText(f)} | ${v} |`,
    );
  }
  const dist = c.scenarios.flatMap((s) => s.distribution);
  if (dist.length > 0) {
    lines.push(
      "",
      "<details><summary>Latency percentiles of the merged HDR histograms (all repeats), with 95% bootstrap intervals over repeats</summary>",
      "",
      "| scenario | latency | percentile | baseline | candidate | shift | interval |",
      "| --- | --- | ---: | ---: | ---: | ---: | :---: |",
    );
    for (const d of dist) {
      const shift = d.base === null || d.cand === null ? "—" : signedMs(d.cand - d.base);
      lines.push(
        `| ${cell(d.scenario)} | ${d.latency === "endToEnd" ? "end-to-end" : "publish"} | p${d.percentile} | ${ms(d.base)} | ${ms(d.cand)} | ${shift} | ${msInterval(d.interval)} |`,
      );
    }
    lines.push("", "</details>");
  }
  return `${lines.join("\n")}\n`;
}
