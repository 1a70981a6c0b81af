import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const root = join(import.meta.dirname, "../..");
const cli = join(root, "harness/cli.ts");
const fixtures = join(root, "test/fixtures/scenarios");
const out = mkdtempSync(join(tmpdir(), "fb-cli-"));
after(() => rmSync(out, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cli, ...args],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

test("--help exits 0 and names every command", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0);
  for (const c of ["run", "check", "list", "serve"]) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
});

test("an unknown command or a missing argument exits 2", async () => {
  assert.equal((await run(["frobnicate"])).code, 2);
  assert.equal((await run(["run"])).code, 2);
  assert.equal((await run(["run", "x.yaml", "--seed", "abc"])).code, 2);
});

test("a broken scenario exits 2 with one line per problem and no stack trace", async () => {
  const r = await run(["run", join(fixtures, "broken.yaml"), "--out", out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.yaml: topology\.agents\.a1\.channel\.type: .*"memory"\|"file"/);
  assert.match(r.stderr, /workload\.rate: .*not a rate/);
  assert.match(r.stderr, /workload\.duration: .*not a duration/);
  assert.match(
    r.stderr,
    /faults\[0\]\.for: unknown key; allowed keys: kind, name, optional, node, at, restartAfter/,
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  assert.deepEqual(readdirSync(out), [], "nothing was run");
});

test("cross-field problems name the valid choices", async () => {
  const f = join(out, "bad-node.yaml");
  writeFileSync(
    f,
    readFileSync(join(fixtures, "tiny-chain.yaml"), "utf8").replace(
      "expect:",
      "faults:\n  - { kind: pause, node: a7, at: 1s, for: 1s }\nexpect:\n  delivery.lots: 0\n",
    ),
  );
  const r = await run(["run", f, "--out", out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /faults\[0\]\.node: no node named "a7"; nodes: a1, a2/);
  assert.match(r.stderr, /expect\.delivery\.lots: unknown results path/);
  rmSync(f);
});

test("a missing file exits 2", async () => {
  const r = await run(["run", join(out, "nope.yaml")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no such file or folder/);
});

test("list shows each scenario with its engine and faults", async () => {
  const r = await run(["list", join(root, "scenarios/default")]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /agent-baseline\s+agent/);
  assert.match(r.stdout, /agent-crash-memory-channel\s+agent\s+\S+\s+pause a2@3s, kill a1@4.5s/);
});

test("check on a folder that is not a run directory exits 2", async () => {
  const r = await run(["check", out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not a run directory/);
});
