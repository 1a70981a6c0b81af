import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CleanedFile, finishSwaps } from "../../../../engines/log/storage/segment-swap.ts";
import { tempDir } from "../helpers/tmp.ts";

const name = (n: number, ext: string) => `${String(n).padStart(20, "0")}.${ext}`;

test("a committed swap replaces exactly the segments in [base, end), whichever of them a crash left", (t) => {
  const dir = tempDir(t);
  // Segments 0, 10, 20 were cleaned into one file covering [0, 30); 30 is the active segment.
  // The crash came after 10's files were removed but before 0 and 20 were.
  for (const b of [0, 20, 30]) {
    writeFileSync(join(dir, name(b, "log")), `old ${b}`);
    writeFileSync(join(dir, name(b, "index")), "");
  }
  const out = new CleanedFile(dir, 0, 30);
  out.append(Buffer.from("cleaned"));
  out.commit(0);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".swap")),
    [`${String(0).padStart(20, "0")}-${String(30).padStart(20, "0")}.swap`],
  );
  const done = finishSwaps(dir);
  assert.equal(done.length, 1);
  assert.deepEqual(readdirSync(dir).sort(), [name(0, "log"), name(30, "index"), name(30, "log")]);
  assert.equal(readFileSync(join(dir, name(0, "log")), "utf8"), "cleaned");
  assert.equal(readFileSync(join(dir, name(30, "log")), "utf8"), "old 30");
  // Nothing left to do on the next open.
  assert.deepEqual(finishSwaps(dir), []);
});

test("an abandoned or interrupted cleaning leaves the old segments as they were", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, name(0, "log")), "old 0");
  const out = new CleanedFile(dir, 0, 10);
  out.append(Buffer.from("half"));
  out.abandon();
  assert.deepEqual(readdirSync(dir), [name(0, "log")]);
  // A crash while writing: the .cleaned file is still there on open.
  const crashed = new CleanedFile(dir, 0, 10);
  crashed.append(Buffer.from("half"));
  assert.deepEqual(finishSwaps(dir), [`removed the unfinished cleaning ${crashed.path.split("/").at(-1)}`]);
  assert.deepEqual(readdirSync(dir), [name(0, "log")]);
  crashed.abandon();
});
