import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isFaultbenchError } from "../../../../harness/errors.ts";
import {
  boundToHarness,
  findBinary,
  requireBinary,
} from "../../../../harness/targets/shared/foreign-binary.ts";

describe("foreign binaries", () => {
  test("found on PATH only when executable", (t) => {
    const dir = mkdtempSync(join(tmpdir(), "fb-bin-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const exe = join(dir, "fb-test-server");
    writeFileSync(exe, "#!/bin/sh\n");
    assert.equal(findBinary("fb-test-server", dir), undefined);
    chmodSync(exe, 0o755);
    assert.equal(findBinary("fb-test-server", dir), exe);
  });

  test("a missing one is a FaultbenchError naming the package and the install command", () => {
    assert.throws(
      () => requireBinary({ command: "fb-no-such-server", debianPackage: "fb-no-such" }, ""),
      (e: unknown) =>
        isFaultbenchError(e) &&
        /fb-no-such-server is not installed \(Debian package fb-no-such\)/.test(e.message) &&
        /npm run peers:install/.test(e.message),
    );
  });

  test("a foreign server dies with the harness, even when the harness is killed with SIGKILL", {
    skip:
      process.platform !== "linux" || findBinary("setpriv") === undefined ? "needs Linux and setpriv" : false,
  }, async (t) => {
    const sleep = findBinary("sleep") as string;
    // A stand-in harness: spawns `sleep 60` the way the targets spawn redis-server, prints its pid.
    const harness = `
      const { spawn } = require("node:child_process");
      const c = ${JSON.stringify(boundToHarness(sleep, ["60"]))};
      const child = spawn(c.command, c.args, { stdio: "ignore" });
      process.stdout.write(String(child.pid) + "\\n");
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["-e", harness], { stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((res) =>
      parent.stdout.once("data", (d: Buffer) => res(Number(String(d).trim()))),
    );
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    t.after(() => {
      if (alive(pid)) process.kill(pid, "SIGKILL");
    });
    assert.ok(alive(pid), "the server runs");
    parent.kill("SIGKILL");
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(pid), false, "the server outlived a SIGKILLed harness");
  });

  test("without setpriv the server runs directly", () => {
    assert.deepEqual(boundToHarness("/usr/bin/redis-server", ["a.conf"], ""), {
      command: "/usr/bin/redis-server",
      args: ["a.conf"],
    });
  });
});
