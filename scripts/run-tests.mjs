// Runs every test file under test/ with node's test runner. Node 20 does not expand globs in
// `--test` arguments, so the files are listed here and passed explicitly.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name === "fixtures" || name === "helpers") continue;
      out.push(...collect(p));
    } else if (name.endsWith(".test.ts")) {
      out.push(p);
    }
  }
  return out;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : collect("test");
if (files.length === 0) {
  console.error("no test files found under test/");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-timeout=120000", ...files], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
