import assert from "node:assert/strict";
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { FileChannelConfig } from "../../../../engines/agent/config.ts";
import { FileChannel } from "../../../../engines/agent/file-channel/file-channel.ts";
import { channelContract, ev, putAll, takeAll } from "../helpers/channel-contract.ts";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "fb-filech-"));
  dirs.push(d);
  return d;
}

function config(dir: string, over: Partial<FileChannelConfig> = {}): FileChannelConfig {
  return {
    name: "c1",
    type: "file",
    capacity: 1000,
    transactionCapacity: 100,
    keepAliveMs: 0,
    checkpointDir: join(dir, "cp"),
    dataDir: join(dir, "data"),
    checkpointIntervalMs: 60_000,
    maxFileSize: 1 << 20,
    fsyncPerTransaction: true,
    fsyncIntervalMs: 5000,
    checkpointOnClose: true,
    ...over,
  };
}

async function open(
  dir: string,
  over: Partial<FileChannelConfig> = {},
  logs: string[] = [],
): Promise<FileChannel> {
  const ch = new FileChannel(config(dir, over), (m) => logs.push(m));
  await ch.start();
  return ch;
}

/** Lets records that nobody waited for (takes, rollbacks) reach the file, like a crash a moment later. */
const settle = () => new Promise((r) => setTimeout(r, 20));

channelContract("file channel", async (capacity, transactionCapacity, keepAliveMs) =>
  open(await tempDir(), { capacity, transactionCapacity, keepAliveMs }),
);

test("file channel: a clean stop checkpoints and a restart restores the queue in order", async () => {
  const dir = await tempDir();
  const a = await open(dir);
  await putAll(a, ["1", "2", "3"]);
  await takeAll(a, 1);
  await a.stop();
  const b = await open(dir);
  assert.equal(b.lastReplay?.records, 0, "everything came from the checkpoint");
  assert.deepEqual(await takeAll(b), ["2", "3"]);
  await b.stop();
});

test("file channel: after a crash, committed puts survive, uncommitted puts vanish, uncommitted takes come back first", async () => {
  const dir = await tempDir();
  const a = await open(dir);
  await putAll(a, ["a", "b", "c", "d"]);
  await takeAll(a, 1); // "a" is delivered for good
  const inflightTake = a.begin();
  assert.equal(inflightTake.take()?.body, "b");
  assert.equal(inflightTake.take()?.body, "c");
  const inflightPut = a.begin();
  inflightPut.put(ev("never-committed"));
  await settle();
  // "Crash": no stop, no checkpoint; a second channel replays the same directories.
  const logs: string[] = [];
  const b = await open(dir, {}, logs);
  assert.equal(b.lastReplay?.uncommittedTakes, 2);
  assert.equal(b.lastReplay?.droppedPuts, 1);
  assert.ok(
    logs.some((l) => l.includes("Duplicate messages will exist in destination")),
    logs.join("\n"),
  );
  assert.deepEqual(await takeAll(b), ["b", "c", "d"]);
  await b.stop();
});

test("file channel: a torn record at the tail is detected and truncated, earlier commits kept", async () => {
  const dir = await tempDir();
  const a = await open(dir);
  await putAll(a, ["keep1", "keep2"]);
  const files = (await readdir(join(dir, "data"))).filter((f) => f.startsWith("log-"));
  assert.equal(files.length, 1);
  const log = join(dir, "data", files[0] as string);
  const good = (await stat(log)).size;
  // Half a record: a length that promises more bytes than follow.
  await appendFile(log, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9]));
  const logs: string[] = [];
  const b = await open(dir, {}, logs);
  assert.deepEqual(b.lastReplay?.truncated, [{ fileId: 1, offset: good }]);
  assert.equal((await stat(log)).size, good);
  assert.deepEqual(await takeAll(b), ["keep1", "keep2"]);
  await b.stop();
});

test("file channel: a CRC mismatch ends the valid log; the damaged commit is not replayed", async () => {
  const dir = await tempDir();
  const a = await open(dir);
  await putAll(a, ["first"]);
  const log = join(dir, "data", "log-1");
  const cut = (await stat(log)).size;
  await putAll(a, ["second"]);
  const bytes = await readFile(log);
  // PUT record = 17-byte header + u16 header count + u32 body length + body: byte 25 is in "second".
  bytes[cut + 25] = (bytes[cut + 25] ?? 0) ^ 0xff;
  await writeFile(log, bytes);
  const b = await open(dir);
  assert.deepEqual(await takeAll(b), ["first"]);
  await b.stop();
});

test("file channel: checkpoints carry open transactions and old log files are deleted", async () => {
  const dir = await tempDir();
  const a = await open(dir, { maxFileSize: 2048 });
  const bodies = Array.from({ length: 200 }, (_, i) => `event-${i}-${"x".repeat(40)}`);
  for (let i = 0; i < bodies.length; i += 20) await putAll(a, bodies.slice(i, i + 20));
  const before = (await readdir(join(dir, "data"))).length;
  assert.ok(before > 5, `expected several log files, got ${before}`);
  for (let i = 0; i < 9; i++) await takeAll(a, 20);
  // One put and one take are open across the checkpoint, then commit after it.
  const put = a.begin();
  put.put(ev("spans-checkpoint"));
  const take = a.begin();
  assert.equal(take.take()?.body, bodies[180]);
  await a.checkpoint();
  const afterCp = (await readdir(join(dir, "data"))).filter((f) => f.startsWith("log-")).length;
  assert.ok(afterCp < before, `checkpoint should delete unreferenced logs (${before} -> ${afterCp})`);
  await put.commit();
  await take.commit();
  await settle();
  const b = await open(dir, { maxFileSize: 2048 }); // crash: replay = checkpoint + records after it
  assert.deepEqual(await takeAll(b), [...bodies.slice(181), "spans-checkpoint"]);
  await b.stop();
});

test("file channel: concurrent commits share fsyncs (group commit)", async () => {
  const dir = await tempDir();
  const ch = await open(dir);
  const commits = Array.from({ length: 50 }, (_, i) => putAll(ch, [`e${i}`, `f${i}`]));
  await Promise.all(commits);
  assert.equal(ch.size(), 100);
  const fsyncs = ch.writer?.fsyncs ?? 0;
  assert.ok(fsyncs >= 1 && fsyncs < 10, `50 concurrent commits took ${fsyncs} fsyncs`);
  // One at a time, every commit waits for its own fsync.
  for (let i = 0; i < 5; i++) await putAll(ch, [`g${i}`]);
  assert.equal(ch.writer?.fsyncs, fsyncs + 5);
  await ch.stop();
});

test("file channel: headers and multi-byte bodies survive the log round trip", async () => {
  const dir = await tempDir();
  const a = await open(dir);
  const tx = a.begin();
  tx.put(ev("héllo wörld ✓", { "trace-id": "ä1", empty: "" }));
  tx.put(ev(""));
  await tx.commit();
  await settle();
  const b = await open(dir);
  const t = b.begin();
  assert.deepEqual(t.take(), { headers: { "trace-id": "ä1", empty: "" }, body: "héllo wörld ✓" });
  assert.deepEqual(t.take(), { headers: {}, body: "" });
  await t.commit();
  await b.stop();
});

test("file channel: log files roll over under concurrent commits and everything replays", async () => {
  const dir = await tempDir();
  const a = await open(dir, { maxFileSize: 1024, transactionCapacity: 1000 });
  const all: string[] = [];
  // Commits are started one tick apart without waiting, so files roll over while a flush is on disk.
  const commits: Promise<void>[] = [];
  for (let t = 0; t < 100; t++) {
    const b = Array.from({ length: 5 }, (_, j) => `t${t}-e${j}-${"y".repeat(30)}`);
    commits.push(putAll(a, b));
    all.push(...b);
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(commits);
  assert.ok((await readdir(join(dir, "data"))).length > 5);
  await settle();
  const b = await open(dir, { maxFileSize: 1024, transactionCapacity: 1000 }); // crash: full replay over many files
  assert.deepEqual((await takeAll(b)).sort(), all.sort());
  await a.stop();
  await b.stop();
});
