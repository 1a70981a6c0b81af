import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { needs } from "./helpers/peer-servers.ts";

const root = join(import.meta.dirname, "../../..");
const cli = join(root, "harness/cli.ts");
const fixtures = join(root, "test/fixtures/scenarios");
const out = mkdtempSync(join(tmpdir(), "fb-peers-cli-"));
after(() => rmSync(out, { recursive: true, force: true }));

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cli, ...args],
      { cwd: root, timeout: 90_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

describe("peer scenarios through the CLI", () => {
  test("without the server binaries both peer scenarios are skipped with the install command, exit 0", async () => {
    const dir = join(out, "skipped");
    const r = await run(
      [
        "run",
        join(fixtures, "tiny-redis-kill.yaml"),
        join(fixtures, "tiny-nats-kill-memory.yaml"),
        "--out",
        dir,
      ],
      { FAULTBENCH_BIN_PATH: join(out, "no-such-dir") },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /tiny-redis-kill: skipped: redis-server is not installed; install it with: npm run peers:install/,
    );
    assert.match(r.stdout, /tiny-nats-kill-memory: skipped: nats-server is not installed/);
    assert.match(r.stdout, /skipped 2: tiny-redis-kill, tiny-nats-kill-memory/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, "no stack trace");
  });

  test("Redis killed with appendfsync always loses nothing; NATS killed with memory storage loses what was unread", {
    skip: needs("redis-server") || needs("nats-server"),
  }, async () => {
    const dir = join(out, "ran");
    const r = await run([
      "run",
      join(fixtures, "tiny-redis-kill.yaml"),
      join(fixtures, "tiny-nats-kill-memory.yaml"),
      "--out",
      dir,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [suite] = readdirSync(dir);
    const runs = readdirSync(join(dir, suite as string)).filter((d) => d.includes("-tiny-"));
    const results = runs.map((d) =>
      JSON.parse(readFileSync(join(dir, suite as string, d, "results.json"), "utf8")),
    );
    const redis = results.find((x) => x.engine === "redis");
    const nats = results.find((x) => x.engine === "nats");
    assert.equal(redis.status, "passed");
    assert.equal(redis.delivery.lost, 0);
    assert.ok(redis.delivery.delivered > 0);
    assert.ok(redis.faults.some((f: { kind: string }) => f.kind === "kill"));
    assert.equal(nats.status, "passed");
    assert.ok(nats.delivery.lost > 0, `nats lost ${nats.delivery.lost}`);
    // The suite index puts both peers in the design matrix with their durability settings.
    const index = readFileSync(join(dir, suite as string, "index.html"), "utf8");
    assert.match(index, /redis · appendonly yes · appendfsync always/);
    assert.match(index, /nats · storage memory/);
  });
});
