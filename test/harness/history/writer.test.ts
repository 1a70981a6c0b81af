import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Op } from "../../../harness/history/op.ts";
import { readHistory } from "../../../harness/history/reader.ts";
import { HistoryWriter } from "../../../harness/history/writer.ts";
import { HistoryBuilder } from "../../helpers/history-builder.ts";

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fb-writer-"));
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function sampleOps(): Op[] {
  return new HistoryBuilder()
    .start("w", 3, -5000)
    .phase(0, "warmup")
    .send(10, 0, 0, 9, "ok", 900)
    .send(20, 1, 0, 4, "fail", 1200)
    .deliver(1500, 0, 0, 9, "collector")
    .deliverUnparsed(1600, 2, "???")
    .nemesis(2000, "invoke", "kill", "kill-a1", "a1", "kill")
    .phase(3000, "done")
    .build();
}

describe("HistoryWriter", () => {
  test("writes one JSON object per line and reads back identical ops", async () => {
    const file = path.join(dir, "round-trip.ndjson");
    const ops = sampleOps();
    const w = new HistoryWriter(file);
    for (const op of ops) w.append(op);
    assert.equal(w.count, ops.length);
    w.close();
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.endsWith("\n"));
    assert.equal(text.split("\n").length, ops.length + 1);
    assert.deepEqual(
      text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
      ops,
    );
    assert.deepEqual(await readHistory(file), ops);
  });

  test("nothing reaches the file before a flush; flushSync writes what is buffered", () => {
    const file = path.join(dir, "flush.ndjson");
    const w = new HistoryWriter(file);
    const [first, second] = sampleOps();
    w.append(first as Op);
    assert.equal(fs.readFileSync(file, "utf8"), "");
    w.flushSync();
    assert.equal(fs.readFileSync(file, "utf8"), `${JSON.stringify(first)}\n`);
    w.flushSync();
    w.append(second as Op);
    w.close();
    assert.equal(fs.readFileSync(file, "utf8"), `${JSON.stringify(first)}\n${JSON.stringify(second)}\n`);
  });

  test("a large batch is flushed without waiting for the timer", () => {
    const file = path.join(dir, "big.ndjson");
    const w = new HistoryWriter(file);
    const b = new HistoryBuilder();
    for (let i = 0; i < 4000; i++) b.send(i * 10, 0, i, i, "ok", i * 10 + 5);
    for (const op of b.build()) w.append(op);
    assert.ok(fs.statSync(file).size >= 262_144, "over 256 KiB was written before close");
    w.close();
    assert.equal(fs.readFileSync(file, "utf8").trimEnd().split("\n").length, 8000);
  });

  test("appends after close are ignored and close twice is harmless", () => {
    const file = path.join(dir, "closed.ndjson");
    const w = new HistoryWriter(file);
    const [first, second] = sampleOps();
    w.append(first as Op);
    w.close();
    w.append(second as Op);
    w.close();
    assert.equal(w.count, 1);
    assert.equal(fs.readFileSync(file, "utf8"), `${JSON.stringify(first)}\n`);
  });
});
