import assert from "node:assert/strict";
import { appendFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { OffsetStore } from "../../../../engines/log/storage/offset-store.ts";
import { tempDir } from "../helpers/tmp.ts";

test("committed offsets survive reopening; last write wins", (t) => {
  const dir = tempDir(t);
  const s = new OffsetStore(dir);
  s.commit("g", [
    { topic: "t", partition: 0, offset: 5, metadata: null },
    { topic: "t", partition: 1, offset: 7, metadata: "m" },
  ]);
  s.commit("g", [{ topic: "t", partition: 0, offset: 9, metadata: null }]);
  s.commit("h", [{ topic: "t", partition: 0, offset: 1, metadata: null }]);
  s.close();
  const again = new OffsetStore(dir);
  assert.deepEqual(again.get("g", "t", 0), { offset: 9, metadata: null });
  assert.deepEqual(again.get("g", "t", 1), { offset: 7, metadata: "m" });
  assert.equal(again.get("g", "u", 0), undefined);
  assert.equal(again.forGroup("g").length, 2);
  again.deleteTopic("t");
  assert.equal(again.get("h", "t", 0), undefined);
  again.close();
  assert.equal(new OffsetStore(dir).forGroup("g").length, 0);
});

test("a torn last record is dropped and the file truncated", (t) => {
  const dir = tempDir(t);
  const s = new OffsetStore(dir);
  s.commit("g", [{ topic: "t", partition: 0, offset: 5, metadata: null }]);
  s.close();
  const file = join(dir, "__consumer_offsets", "commits.log");
  const good = statSync(file).size;
  appendFileSync(file, Buffer.from([0, 0, 0, 50, 1, 2, 3, 4, 0x7b]));
  const again = new OffsetStore(dir);
  assert.equal(again.droppedTail, true);
  assert.equal(statSync(file).size, good);
  assert.deepEqual(again.get("g", "t", 0), { offset: 5, metadata: null });
  again.commit("g", [{ topic: "t", partition: 0, offset: 6, metadata: null }]);
  again.close();
  assert.deepEqual(new OffsetStore(dir).get("g", "t", 0), { offset: 6, metadata: null });
});

test("compaction keeps only live entries", (t) => {
  const dir = tempDir(t);
  const s = new OffsetStore(dir);
  for (let i = 0; i < 3000; i++) s.commit("g", [{ topic: "t", partition: i % 3, offset: i, metadata: null }]);
  s.close();
  assert.ok(statSync(join(dir, "__consumer_offsets", "commits.log")).size < 3000 * 20);
  const again = new OffsetStore(dir);
  assert.deepEqual(again.get("g", "t", 2), { offset: 2999, metadata: null });
  again.close();
});
