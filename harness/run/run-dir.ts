/**
 * Run directories: `<out>/<timestamp>-<scenario>/` holding scenario.yaml (as resolved),
 * history.ndjson, results.json, logs/ and, when reports land, report.html.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Results } from "../results/types.ts";

export function timestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/:/g, "-");
}

export function createRunDir(outDir: string, name: string, when = new Date()): string {
  let dir = join(outDir, `${timestamp(when)}-${name}`);
  for (let i = 2; ; i++) {
    try {
      mkdirSync(dir, { recursive: false });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        mkdirSync(outDir, { recursive: true });
        i--;
        continue;
      }
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      dir = join(outDir, `${timestamp(when)}-${name}-${i}`);
    }
  }
  mkdirSync(join(dir, "logs"));
  return dir;
}

export function writeScenarioCopy(dir: string, raw: Record<string, unknown>): void {
  writeFileSync(
    join(dir, "scenario.yaml"),
    `# the scenario as run, with command-line overrides applied\n${stringify(raw)}`,
  );
}

export function writeResults(dir: string, results: Results): void {
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
}
