/** Benchmark flags: known flags parse; an unknown one or --help is a usage message and exit 2, not a stack trace. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";

const logBench = resolve(import.meta.dirname, "../../bench/log.ts");
const run = (...flags: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", logBench, ...flags], { encoding: "utf8", timeout: 30_000 });

test("bench flags: an unknown flag names itself and the usage, exit 2", () => {
  const r = run("--bogus");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bench\/log\.ts: Unknown option '--bogus'/);
  assert.match(r.stderr, /usage: node --import tsx bench\/log\.ts --runs <3> --seconds <5>/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
});

test("bench flags: --help prints the usage, exit 2", () => {
  const r = run("--help");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^usage: /);
});

test("bench flags: a flag missing its value is a usage error too", () => {
  const r = run("--runs");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--runs/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
