// Raft's durable state through the lazy file-I/O layer: what was acknowledged (a term, a vote, an
// appended or truncated log) survives a power loss. A "power loss" here is enabling lazy mode
// again on the same journal without a clean close, which rolls back everything unsynced.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { RaftStorage } from "../../../../engines/log/raft/raft-storage.ts";
import { closeLazyIO, enableLazyIO } from "../../../../engines/shared/file-io.ts";

let dir = "";
let journal = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fb-raft-"));
  journal = join(dir, "journal");
  enableLazyIO(journal);
});
afterEach(() => {
  closeLazyIO();
  rmSync(dir, { recursive: true, force: true });
});

test("term, vote and log entries survive a power loss right after they were stored", () => {
  const data = join(dir, "node"); // the harness creates each node's data directory before it starts
  mkdirSync(data);
  const s = new RaftStorage(data);
  s.saveState(3, 2);
  s.append([
    { term: 1, cmd: "a" },
    { term: 3, cmd: "b" },
  ]);
  // Every file goes through the layer: the journal knows the log's and the state's synced lengths.
  const lines = readFileSync(journal, "utf8");
  assert.match(lines, /"op":"sync","path":"[^"]*raft\/log\.ndjson"/);
  assert.match(lines, /"op":"rename"[^\n]*raft\/state\.json"/);
  assert.deepEqual(enableLazyIO(journal).rolledBack, []);
  const after = new RaftStorage(data);
  assert.equal(after.term, 3);
  assert.equal(after.votedFor, 2);
  assert.deepEqual(
    after.entries.map((e) => e.cmd),
    ["a", "b"],
  );
  after.close();
});

test("a truncation survives a power loss: the dropped suffix does not come back", () => {
  const data = join(dir, "node"); // the harness creates each node's data directory before it starts
  mkdirSync(data);
  const s = new RaftStorage(data);
  s.append([
    { term: 1, cmd: "a" },
    { term: 1, cmd: "b" },
    { term: 1, cmd: "c" },
  ]);
  s.truncateFrom(2);
  s.append([{ term: 2, cmd: "x" }]);
  s.saveState(4, null);
  s.saveState(5, 1);
  enableLazyIO(journal);
  const after = new RaftStorage(data);
  assert.deepEqual(
    after.entries.map((e) => `${e.term}${e.cmd}`),
    ["1a", "2x"],
  );
  assert.equal(after.term, 5);
  assert.equal(after.votedFor, 1);
  after.close();
});
