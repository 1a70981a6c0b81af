/** The shared token: every call needs it when set; --allow-remote needs one; no token, no work. */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runScenario } from "../../../harness/run/run-scenario.ts";
import { baseline } from "../../helpers/baselines.ts";
import { startWorker } from "../../helpers/worker-process.ts";

const root = join(import.meta.dirname, "../../..");
const out = mkdtempSync(join(tmpdir(), "fb-remote-token-"));
after(() => rmSync(out, { recursive: true, force: true }));

test("the token: required on every call when set, and for --allow-remote", async () => {
  const token = "test-token-0123456789abcdef";
  const guarded = await startWorker({ env: { FAULTBENCH_WORKER_TOKEN: token }, args: ["--once"] });
  const exited = new Promise<number | null>((r) => guarded.child.once("exit", (code) => r(code)));
  try {
    const clock = (auth?: string) =>
      fetch(`${guarded.url}/v1/clock`, auth ? { headers: { authorization: auth } } : {}).then(
        (r) => r.status,
      );
    assert.equal(await clock(), 401);
    assert.equal(await clock("Bearer wrong-token-0123456789abcdef"), 401);
    assert.equal(await clock(`Bearer ${token}`), 200);

    const scenario = baseline("agent-baseline", { producers: 1, duration: "500ms" });
    const without = await runScenario({
      scenario,
      outDir: out,
      projectRoot: root,
      remoteWorkers: { urls: [guarded.url] },
    });
    assert.equal(without.results.status, "errored");
    assert.match(without.results.error?.message ?? "", /401: missing or wrong token/);
    assert.equal(without.results.delivery.attempted, 0, "no token, no work");
    const withToken = await runScenario({
      scenario,
      outDir: out,
      projectRoot: root,
      remoteWorkers: { urls: [guarded.url], token },
    });
    assert.equal(withToken.results.status, "passed", JSON.stringify(withToken.results.error));
    // --once (a Kubernetes Job's worker): exits 0 once the coordinator released its run.
    assert.equal(await exited, 0);
  } finally {
    await guarded.stop();
  }

  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["--import", "tsx", join(root, "harness/cli.ts"), "worker", ...args], {
      cwd: root,
      env: { ...process.env, FAULTBENCH_WORKER_TOKEN: "", ...env },
      encoding: "utf8",
      timeout: 20_000,
    });
  const open = cli(["--listen", "0.0.0.0:0"]);
  assert.equal(open.status, 2);
  assert.match(open.stderr, /loopback only unless --allow-remote/);
  const noToken = cli(["--listen", "0.0.0.0:0", "--allow-remote"]);
  assert.equal(noToken.status, 2);
  assert.match(noToken.stderr, /--allow-remote needs a shared token/);
});
