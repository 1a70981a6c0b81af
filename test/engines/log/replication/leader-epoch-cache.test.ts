import assert from "node:assert/strict";
import { test } from "node:test";
import { LeaderEpochCache } from "../../../../engines/log/replication/leader-epoch-cache.ts";
import { tempDir } from "../helpers/tmp.ts";

test("end offsets per epoch (KIP-279), truncation and persistence", (t) => {
  const dir = tempDir(t);
  const c = new LeaderEpochCache(dir);
  assert.deepEqual(c.endOffsetFor(0, 0), { epoch: -1, endOffset: -1 });
  c.assign(0, 0);
  c.assign(2, 100);
  c.assign(5, 250);
  c.assign(4, 300); // older than the latest: ignored
  assert.deepEqual(c.endOffsetFor(5, 400), { epoch: 5, endOffset: 400 });
  assert.deepEqual(c.endOffsetFor(3, 400), { epoch: 2, endOffset: 250 });
  assert.deepEqual(c.endOffsetFor(1, 400), { epoch: 0, endOffset: 100 });
  c.truncateFromEnd(250);
  assert.equal(c.latestEpoch, 2);
  // An epoch that starts where the previous one did replaces it (it held nothing).
  c.assign(6, 100);
  assert.deepEqual(new LeaderEpochCache(dir).all, [
    { epoch: 0, startOffset: 0 },
    { epoch: 6, startOffset: 100 },
  ]);
});

test("clear forgets every epoch, on disk too, and later epochs start afresh", (t) => {
  const dir = tempDir(t);
  const c = new LeaderEpochCache(dir);
  c.assign(0, 0);
  c.assign(3, 40);
  c.clear();
  assert.equal(c.latestEpoch, -1);
  assert.deepEqual(new LeaderEpochCache(dir).all, []);
  c.assign(3, 500);
  assert.deepEqual(new LeaderEpochCache(dir).all, [{ epoch: 3, startOffset: 500 }]);
});
