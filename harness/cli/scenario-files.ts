/**
 * Resolves the `run` and `list` arguments: each argument is a scenario file or a folder whose
 * *.yaml / *.yml files (sorted by name) are all taken.
 */

import { readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { FaultbenchError } from "../errors.ts";

export function scenarioFiles(args: readonly string[]): { files: string[]; folders: string[] } {
  const files: string[] = [];
  const folders: string[] = [];
  const problems: string[] = [];
  for (const a of args) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(a);
    } catch {
      problems.push(`${a}: no such file or folder`);
      continue;
    }
    if (st.isDirectory()) {
      folders.push(a);
      const found = readdirSync(a)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(a, f));
      if (found.length === 0) problems.push(`${a}: no .yaml scenario files in this folder`);
      files.push(...found);
    } else {
      files.push(a);
    }
  }
  if (problems.length > 0) {
    throw new FaultbenchError("FB_USAGE", problems.join("\n"), { context: { problems } });
  }
  return {
    files: [...new Set(files.map((f) => resolve(f)))].map((f) => f),
    folders: folders.map((f) => basename(resolve(f))),
  };
}
