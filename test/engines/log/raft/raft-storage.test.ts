// Raft's durable state through the lazy file-I/O layer: what was acknowledged (a term, a vote, an
// appended or truncated log) survives a power loss. A "power loss" here is enabling lazy mode
// again on the same journal without a clean close, which rolls back everything unsynced.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { type AsyncFsync, RaftStorage } from "../../../../engines/log/raft/raft-storage.ts";
import { closeLazyIO, enableLazyIO, fsyncFileAsync } from "../../../../engines/shared/file-io.ts";

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

test("term, vote and log entries survive a power loss once they are durable", async () => {
  const data = join(dir, "node"); // the harness creates each node's data directory before it starts
  mkdirSync(data);
  const s = new RaftStorage(data);
  s.saveState(3, 2);
  s.append([
    { term: 1, cmd: "a" },
    { term: 3, cmd: "b" },
  ]);
  assert.equal(s.durableIndex, 0, "append returns before its fsync");
  assert.equal(await s.whenDurable(2), true);
  assert.equal(s.durableIndex, 2);
  // Every file goes through the layer: the journal knows the log's and the state's synced lengths.
  const lines = readFileSync(journal, "utf8");
  assert.match(lines, /"op":"sync","path":"[^"]*raft\/log\.ndjson"/);
  assert.match(lines, /"op":"rename"[^\n]*raft\/state\.json"/);
  assert.deepEqual(enableLazyIO(journal).rolledBack, []);
  const after = new RaftStorage(data);
  assert.equal(after.term, 3);
  assert.equal(after.votedFor, 2);
  assert.deepEqual(
    after.entriesFrom(1, 100).map((e) => e.cmd),
    ["a", "b"],
  );
  after.close();
});

test("a truncation survives a power loss: the dropped suffix does not come back", async () => {
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
  await s.whenDurable(2);
  s.saveState(4, null);
  s.saveState(5, 1);
  enableLazyIO(journal);
  const after = new RaftStorage(data);
  assert.deepEqual(
    after.entriesFrom(1, 100).map((e) => `${e.term}${e.cmd}`),
    ["1a", "2x"],
  );
  assert.equal(after.term, 5);
  assert.equal(after.votedFor, 1);
  after.close();
});

const terms = (s: RaftStorage) => s.entriesFrom(s.firstIndex, 1000).map((e) => `${e.term}${e.cmd}`);

test("a snapshot drops the log prefix it covers and survives a power loss", async () => {
  const data = join(dir, "node");
  mkdirSync(data);
  const s = new RaftStorage(data);
  s.append(["a", "b", "c", "d", "e"].map((cmd, i) => ({ term: i < 3 ? 1 : 2, cmd })));
  s.compact(4, '{"upTo":"d"}');
  assert.equal(s.snapshotIndex, 4);
  assert.equal(s.termAt(4), 2);
  assert.equal(s.termAt(3), -1, "compacted entries have no term any more");
  assert.deepEqual(terms(s), ["2e"]);
  s.append([{ term: 3, cmd: "f" }]);
  await s.whenDurable(6);
  // The log file holds only what follows the snapshot.
  assert.equal(
    readFileSync(join(data, "raft", "log.ndjson"), "utf8")
      .trim()
      .split("\n").length,
    2,
  );
  enableLazyIO(journal); // power loss: only what was fsynced (and its directory entry) remains
  const after = new RaftStorage(data);
  assert.equal(after.snapshotIndex, 4);
  assert.equal(after.snapshot?.data, '{"upTo":"d"}');
  assert.equal(after.lastIndex, 6);
  assert.deepEqual(terms(after), ["2e", "3f"]);
  after.close();
});

test("a crash after the snapshot but before the log rewrite loads as if the rewrite had happened", () => {
  const data = join(dir, "node");
  mkdirSync(data);
  const s = new RaftStorage(data);
  s.append(["a", "b", "c", "d"].map((cmd) => ({ term: 1, cmd })));
  const whole = readFileSync(join(data, "raft", "log.ndjson"), "utf8");
  s.compact(2, "{}");
  s.close();
  writeFileSync(join(data, "raft", "log.ndjson"), whole); // the old log is back
  const after = new RaftStorage(data);
  assert.equal(after.snapshotIndex, 2);
  assert.deepEqual(terms(after), ["1c", "1d"]);
  after.append([{ term: 2, cmd: "e" }]);
  after.close();
  assert.deepEqual(terms(new RaftStorage(data)), ["1c", "1d", "2e"]);
});

test("an installed snapshot keeps a log that continues it and discards one that conflicts", () => {
  const keep = join(dir, "keep");
  const s = new RaftStorage(keep);
  s.append(["a", "b", "c"].map((cmd, i) => ({ term: i + 1, cmd })));
  s.install(2, 2, "{}");
  assert.deepEqual(terms(s), ["3c"]);
  s.close();
  assert.deepEqual(terms(new RaftStorage(keep)), ["3c"]);

  const drop = join(dir, "drop");
  const d = new RaftStorage(drop);
  d.append(["a", "b", "c"].map((cmd) => ({ term: 1, cmd })));
  const old = readFileSync(join(drop, "raft", "log.ndjson"), "utf8");
  d.install(2, 2, "{}"); // the leader's entry 2 has term 2: our log diverged before it
  assert.equal(d.lastIndex, 2);
  assert.deepEqual(terms(d), []);
  d.close();
  writeFileSync(join(drop, "raft", "log.ndjson"), old); // a crash before the log was rewritten
  const after = new RaftStorage(drop);
  assert.equal(after.lastIndex, 2, "the conflicting log is discarded on load, too");
  assert.equal(after.termAt(2), 2);
  after.close();
});

test("a log written before snapshots existed (lines without indexes) still loads", () => {
  const data = join(dir, "old");
  mkdirSync(join(data, "raft"), { recursive: true });
  writeFileSync(join(data, "raft", "log.ndjson"), '{"term":1,"cmd":"a"}\n{"term":2,"cmd":"b"}\n');
  const s = new RaftStorage(data);
  assert.equal(s.lastIndex, 2);
  s.append([{ term: 2, cmd: "c" }]);
  s.compact(2, "{}");
  s.close();
  const after = new RaftStorage(data);
  assert.deepEqual(terms(after), ["2c"]);
  assert.equal(after.firstIndex, 3);
  after.close();
});

/** An fsync that starts at once but returns only when the test releases it: the disk under pressure. */
function heldFsync() {
  const pending: Array<() => void> = [];
  const fsync: AsyncFsync = (fd, cb) => {
    let result: { err: NodeJS.ErrnoException | null } | undefined;
    let released = false;
    fsyncFileAsync(fd, (err) => {
      result = { err };
      if (released) cb(err);
    });
    pending.push(() => {
      released = true;
      if (result) cb(result.err);
    });
  };
  return { fsync, pending, release: () => pending.shift()?.() };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond());
};

test("group commit: appends return at once, one fsync covers all written while the previous ran", async () => {
  const data = join(dir, "node");
  mkdirSync(data);
  const held = heldFsync();
  const durable: number[] = [];
  const s = new RaftStorage(data, { fsync: held.fsync, onDurable: (i) => durable.push(i) });
  s.append([{ term: 1, cmd: "a" }]);
  assert.equal(s.lastIndex, 1);
  assert.equal(s.durableIndex, 0);
  assert.equal(held.pending.length, 1, "the first append starts an fsync");
  for (const cmd of ["b", "c", "d", "e"]) s.append([{ term: 1, cmd }]);
  assert.equal(held.pending.length, 1, "later appends wait for the running fsync");
  const waitE = s.whenDurable(5);
  held.release();
  await until(() => s.durableIndex === 1);
  assert.deepEqual(durable, [1], "the first fsync covers only what was written before it began");
  await until(() => held.pending.length === 1);
  held.release();
  assert.equal(await waitE, true);
  assert.equal(s.durableIndex, 5);
  assert.deepEqual(durable, [1, 5], "one fsync for b..e");
  assert.equal(s.fsyncs, 2);
  s.close();
});

test("a power loss keeps the durable prefix and may lose what was written after it", async () => {
  const data = join(dir, "node");
  mkdirSync(data);
  // The first fsync runs (its answer held back); the power goes before any later one starts.
  const held = heldFsync();
  let calls = 0;
  const fsync: AsyncFsync = (fd, cb) => {
    if (++calls === 1) held.fsync(fd, cb);
  };
  const s = new RaftStorage(data, { fsync });
  s.append([{ term: 1, cmd: "a" }]);
  // Written while a's fsync is on its way: that fsync may not cover it, so the fault model must
  // not count it as synced (it journals the length at the fsync's call, not at its return).
  s.append([{ term: 1, cmd: "b" }]);
  held.release();
  await until(() => s.durableIndex === 1);
  assert.equal(calls, 2, "b waits for an fsync of its own");
  enableLazyIO(journal);
  const after = new RaftStorage(data);
  assert.deepEqual(terms(after), ["1a"]);
  after.close();
});

test("a truncation while an fsync is pending: the stale fsync moves nothing, waiters of dropped entries hear so", async () => {
  const data = join(dir, "node");
  mkdirSync(data);
  const held = heldFsync();
  const s = new RaftStorage(data, { fsync: held.fsync });
  s.append(["a", "b", "c"].map((cmd) => ({ term: 1, cmd })));
  const waitC = s.whenDurable(3);
  assert.equal(held.pending.length, 1);
  s.truncateFrom(2); // a new leader's conflicting suffix: the log is rewritten and fsynced whole
  assert.equal(s.durableIndex, 1, "what the rewrite kept is durable");
  assert.equal(await waitC, false, "entry 3 was dropped before it became durable");
  s.append(["x", "y"].map((cmd) => ({ term: 2, cmd })));
  assert.equal(s.durableIndex, 1);
  held.release(); // the old file's fsync returns: it must not make 2 and 3 (now x, y) durable
  await until(() => held.pending.length === 1);
  assert.equal(s.durableIndex, 1);
  held.release();
  await until(() => s.durableIndex === 3);
  enableLazyIO(journal);
  const after = new RaftStorage(data);
  assert.deepEqual(terms(after), ["1a", "2x", "2y"]);
  after.close();
});

test("a compaction while an fsync is pending leaves every kept entry durable", async () => {
  const data = join(dir, "node");
  mkdirSync(data);
  const held = heldFsync();
  const s = new RaftStorage(data, { fsync: held.fsync });
  s.append(["a", "b", "c", "d"].map((cmd) => ({ term: 1, cmd })));
  s.compact(2, "{}");
  assert.equal(s.durableIndex, 4);
  held.release();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.durableIndex, 4);
  assert.equal(held.pending.length, 0, "nothing left to sync");
  s.close();
  enableLazyIO(journal);
  const after = new RaftStorage(data);
  assert.equal(after.snapshotIndex, 2);
  assert.deepEqual(terms(after), ["1c", "1d"]);
  after.close();
});

test("a clean close makes what was written durable", () => {
  const data = join(dir, "node");
  mkdirSync(data);
  const held = heldFsync();
  const s = new RaftStorage(data, { fsync: held.fsync });
  s.append([{ term: 1, cmd: "a" }]);
  s.close();
  held.release(); // returns after the close: the descriptor was kept open for it
  enableLazyIO(journal);
  const after = new RaftStorage(data);
  assert.deepEqual(terms(after), ["1a"]);
  after.close();
});
