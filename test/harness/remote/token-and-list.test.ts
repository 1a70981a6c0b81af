import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readToken, tokenMatches } from "../../../harness/remote/token.ts";
import { parseWorkerList } from "../../../harness/remote/worker-list.ts";

const dir = mkdtempSync(join(tmpdir(), "fb-remote-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("tokens compare equal only when identical", () => {
  assert.equal(tokenMatches("a-long-shared-token-1", "a-long-shared-token-1"), true);
  assert.equal(tokenMatches("a-long-shared-token-1", "a-long-shared-token-2"), false);
  assert.equal(tokenMatches("a-long-shared-token-1", "short"), false);
  assert.equal(tokenMatches("a-long-shared-token-1", undefined), false);
});

test("a token comes from a file or the environment and must not be short", () => {
  const f = join(dir, "token");
  writeFileSync(f, "0123456789abcdef0123\n");
  assert.equal(readToken(f, {}), "0123456789abcdef0123");
  assert.equal(readToken(undefined, { FAULTBENCH_WORKER_TOKEN: "fedcba9876543210xx" }), "fedcba9876543210xx");
  assert.equal(readToken(undefined, {}), undefined);
  writeFileSync(f, "short");
  assert.throws(() => readToken(f, {}), /shorter than 16/);
  assert.throws(() => readToken(join(dir, "none"), {}), /cannot read the token file/);
});

test("worker lists: comma-separated or a file, in slice order, checked", () => {
  assert.deepEqual(parseWorkerList("http://h1:7070, http://h2:7070/"), ["http://h1:7070", "http://h2:7070"]);
  const f = join(dir, "workers.txt");
  writeFileSync(f, "# the fleet\nhttp://10.0.0.2:7070\n\nhttp://10.0.0.3:7070 # rack b\n");
  assert.deepEqual(parseWorkerList(f), ["http://10.0.0.2:7070", "http://10.0.0.3:7070"]);
  assert.throws(() => parseWorkerList("h1:7070"), /must start with http|not a URL/);
  assert.throws(() => parseWorkerList("http://h1:1,http://h1:1"), /listed twice/);
  assert.throws(() => parseWorkerList(","), /no worker URLs/);
});
