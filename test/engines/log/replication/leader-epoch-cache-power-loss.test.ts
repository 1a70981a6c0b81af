// The leader-epoch checkpoint through the lazy file-I/O layer: an epoch recorded before a power
// loss is still there after it (fsync, rename, directory fsync), so the epoch cache cannot fall
// behind the log it describes.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LeaderEpochCache } from "../../../../engines/log/replication/leader-epoch-cache.ts";
import { closeLazyIO, enableLazyIO, fsyncDir, makeDir } from "../../../../engines/shared/file-io.ts";

const dir = mkdtempSync(join(tmpdir(), "fb-epochs-"));
after(() => {
  closeLazyIO();
  rmSync(dir, { recursive: true, force: true });
});

test("epochs assigned and truncated before a power loss are what the replica reads after it", () => {
  const journal = join(dir, "journal");
  enableLazyIO(journal);
  const part = join(dir, "faultbench-0");
  makeDir(part);
  fsyncDir(dir);
  const c = new LeaderEpochCache(part);
  c.assign(0, 0);
  c.assign(1, 120);
  c.assign(2, 300);
  c.truncateFromEnd(250);
  assert.match(readFileSync(journal, "utf8"), /"op":"dirsync","path":"[^"]*faultbench-0"/);
  enableLazyIO(journal);
  const back = new LeaderEpochCache(part);
  assert.equal(back.latestEpoch, 1);
  assert.deepEqual(back.endOffsetFor(0, 400), { epoch: 0, endOffset: 120 });
  assert.deepEqual(back.endOffsetFor(1, 400), { epoch: 1, endOffset: 400 });
});
