import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { isFaultbenchError } from "../../../harness/errors.ts";
import { parseOpLine, readHistory } from "../../../harness/history/reader.ts";
import { HistoryBuilder } from "../../helpers/history-builder.ts";

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fb-reader-"));
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const ops = new HistoryBuilder().start().send(10, 0, 0, 4, "ok", 50).deliver(80, 0, 0, 4).build();
const lines = ops.map((o) => JSON.stringify(o));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("readHistory", () => {
  test("reads every op of a whole file", async () => {
    assert.deepEqual(await readHistory(write("whole.ndjson", `${lines.join("\n")}\n`)), ops);
  });

  test("a last line without a newline is still read when it is whole", async () => {
    assert.deepEqual(await readHistory(write("no-nl.ndjson", lines.join("\n"))), ops);
  });

  test("a torn last line is dropped and everything before it kept", async () => {
    const torn = `${lines.join("\n")}\n{"t":90,"process":"consumer","type":"ok","f":"deli`;
    assert.deepEqual(await readHistory(write("torn.ndjson", torn)), ops);
  });

  test("blank lines are skipped", async () => {
    assert.equal(lines.length, 4);
    const text = `${lines[0]}\n\n${lines[1]}\n\n\n${lines[2]}\n${lines[3]}\n\n`;
    assert.deepEqual(await readHistory(write("blank.ndjson", text)), ops);
  });

  test("an empty file has no ops", async () => {
    assert.deepEqual(await readHistory(write("empty.ndjson", "")), []);
  });

  test("a bad middle line raises FB_HISTORY_INVALID naming the line", async () => {
    const file = write("bad.ndjson", `${lines[0]}\n${lines[1]}\n{oops\n${lines[2]}\n${lines[3]}\n`);
    await assert.rejects(readHistory(file), (e: unknown) => {
      assert.ok(isFaultbenchError(e));
      assert.equal(e.code, "FB_HISTORY_INVALID");
      assert.equal(e.message, `${file}:3: not JSON`);
      assert.equal(e.context.file, file);
      return true;
    });
  });

  test("JSON that is not an op raises FB_HISTORY_INVALID naming the line", async () => {
    const file = write("not-op.ndjson", `${lines[0]}\n{"t":"soon","type":"ok","f":"send"}\n${lines[1]}\n`);
    await assert.rejects(readHistory(file), (e: unknown) => {
      assert.ok(isFaultbenchError(e));
      assert.equal(e.code, "FB_HISTORY_INVALID");
      assert.equal(e.message, `${file}:2: not a history op (needs t, type, f)`);
      return true;
    });
  });

  test("a missing file raises FB_RUN_DIR", async () => {
    const file = path.join(dir, "nope", "history.ndjson");
    await assert.rejects(readHistory(file), (e: unknown) => {
      assert.ok(isFaultbenchError(e));
      assert.equal(e.code, "FB_RUN_DIR");
      assert.ok(e.message.startsWith(file));
      return true;
    });
  });
});

describe("parseOpLine", () => {
  test("returns the op as parsed", () => {
    assert.deepEqual(parseOpLine(lines[1] as string, 2, "h"), ops[1]);
  });

  test("needs a numeric t and string type and f", () => {
    for (const bad of [
      "[]",
      "null",
      "42",
      '{"t":1,"type":"ok"}',
      '{"t":1,"f":"send"}',
      '{"type":"ok","f":"send"}',
    ]) {
      assert.throws(
        () => parseOpLine(bad, 7, "h.ndjson"),
        (e: unknown) =>
          isFaultbenchError(e) && e.code === "FB_HISTORY_INVALID" && e.message.startsWith("h.ndjson:7: "),
        bad,
      );
    }
  });
});
