// Lazy file I/O: after an unclean end, the next start in lazy mode leaves exactly what was fsynced.
// A "crash" here is simply enabling lazy mode again on the same journal without a clean close.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import {
  closeFile,
  closeLazyIO,
  enableLazyIO,
  fsyncDir,
  fsyncFile,
  makeDir,
  openFile,
  removePath,
  renameFile,
} from "../../../engines/shared/file-io.ts";

let dir = "";
let journal = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fb-lazy-"));
  journal = join(dir, "journal");
  enableLazyIO(journal);
});
afterEach(() => {
  closeLazyIO();
  rmSync(dir, { recursive: true, force: true });
});

const crash = () => enableLazyIO(journal).rolledBack;

describe("lazy file I/O", () => {
  test("bytes written after the last fsync are lost; the fsynced ones stay", () => {
    const f = join(dir, "seg");
    const fd = openFile(f, "w");
    fsyncDir(dir);
    writeSync(fd, "durable.");
    fsyncFile(fd);
    writeSync(fd, "lost");
    assert.equal(readFileSync(f, "utf8"), "durable.lost");
    const done = crash();
    assert.equal(readFileSync(f, "utf8"), "durable.");
    assert.ok(
      done.some((d) => d.startsWith("truncate")),
      done.join("; "),
    );
  });

  test("a file never fsynced is empty; one whose directory was never fsynced is gone", () => {
    const a = join(dir, "a");
    const fa = openFile(a, "w");
    writeSync(fa, "unsynced");
    fsyncDir(dir);
    const b = join(dir, "b");
    const fb = openFile(b, "w");
    writeSync(fb, "synced data, unsynced entry");
    fsyncFile(fb);
    crash();
    assert.equal(readFileSync(a, "utf8"), "");
    assert.equal(existsSync(b), false);
  });

  test("a rename over an old file is undone unless the directory was fsynced", () => {
    const target = join(dir, "meta");
    let fd = openFile(target, "w");
    writeSync(fd, "old");
    fsyncFile(fd);
    closeFile(fd);
    fsyncDir(dir);
    fd = openFile(`${target}.tmp`, "w");
    writeSync(fd, "new");
    fsyncFile(fd);
    closeFile(fd);
    renameFile(`${target}.tmp`, target);
    assert.equal(readFileSync(target, "utf8"), "new");
    crash();
    assert.equal(readFileSync(target, "utf8"), "old");
    assert.equal(existsSync(`${target}.tmp`), false);

    fd = openFile(`${target}.tmp`, "w");
    writeSync(fd, "new");
    fsyncFile(fd);
    closeFile(fd);
    renameFile(`${target}.tmp`, target);
    fsyncDir(dir);
    crash();
    assert.equal(readFileSync(target, "utf8"), "new");
  });

  test("a removal comes back without a directory fsync; a new directory vanishes without its parent's", () => {
    const f = join(dir, "old-log");
    const fd = openFile(f, "w");
    writeSync(fd, "x");
    fsyncFile(fd);
    closeFile(fd);
    fsyncDir(dir);
    removePath(f);
    assert.equal(existsSync(f), false);
    makeDir(join(dir, "p-0"));
    crash();
    assert.equal(readFileSync(f, "utf8"), "x");
    assert.equal(existsSync(join(dir, "p-0")), false);
  });

  test("after a clean close nothing is rolled back (the OS would write the page cache back)", () => {
    const f = join(dir, "seg");
    const fd = openFile(f, "w");
    writeSync(fd, "page cache only");
    closeFile(fd);
    closeLazyIO();
    assert.deepEqual(enableLazyIO(journal).rolledBack, []);
    assert.equal(readFileSync(f, "utf8"), "page cache only");
  });
});
