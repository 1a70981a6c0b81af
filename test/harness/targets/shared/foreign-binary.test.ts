import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isFaultbenchError } from "../../../../harness/errors.ts";
import { findBinary, requireBinary } from "../../../../harness/targets/shared/foreign-binary.ts";

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
});
