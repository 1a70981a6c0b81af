/**
 * junit.xml: one test case per scenario × gated figure (plus one per check and per broken run),
 * so any CI system that reads JUnit shows the gate's failures by name; a failure's message carries
 * the numbers.
 */

import type { Comparison } from "../../harness/compare/compare.ts";
import { intervalText, pct, pText, thresholdText, value } from "./rows.ts";

export function xmlEscape(s: unknown): string {
  return (
    String(s ?? "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
      // Characters XML 1.0 cannot carry at all.
      .replace(/[^\t\n\r\u0020-\uffff]/gu, "")
  );
}

export function compareJunit(c: Comparison): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  for (const s of c.scenarios) {
    const cases: string[] = [];
    let sf = 0;
    let se = 0;
    for (const b of s.broken) {
      se++;
      cases.push(
        `    <testcase classname="${xmlEscape(s.scenario)}" name="run"><error message="${xmlEscape(`the run broke: ${b.message}`)}">${xmlEscape(b.dir)}</error></testcase>`,
      );
    }
    for (const k of s.newlyFailedChecks) {
      sf++;
      cases.push(
        `    <testcase classname="${xmlEscape(s.scenario)}" name="${xmlEscape(`check ${k.name}`)}"><failure message="${xmlEscape(`held in every baseline run, failed in the candidate: ${k.detail}`)}"/></testcase>`,
      );
    }
    for (const f of s.figures) {
      const numbers = `baseline ${value(f, f.base.median)} (n=${f.base.n}), candidate ${value(f, f.cand.median)} (n=${f.cand.n}), change ${pct(f.change)}, interval ${intervalText(f)}, p ${pText(f.p)}, threshold ${thresholdText(f)}`;
      const name = `${f.spec.label} [${f.spec.path}]`;
      if (f.verdict === "regression") {
        sf++;
        cases.push(
          `    <testcase classname="${xmlEscape(s.scenario)}" name="${xmlEscape(name)}"><failure message="${xmlEscape(`regression: ${f.reason}`)}">${xmlEscape(numbers)}</failure></testcase>`,
        );
      } else {
        cases.push(
          `    <testcase classname="${xmlEscape(s.scenario)}" name="${xmlEscape(name)}"><system-out>${xmlEscape(`${f.verdict}: ${numbers}`)}</system-out></testcase>`,
        );
      }
    }
    total += cases.length;
    failures += sf;
    errors += se;
    suites.push(
      `  <testsuite name="${xmlEscape(s.scenario)}" tests="${cases.length}" failures="${sf}" errors="${se}">\n${cases.join("\n")}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="faultbench regression gate" tests="${total}" failures="${failures}" errors="${errors}">\n${suites.join("\n")}\n</testsuites>\n`;
}
