import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { encodePayload } from "../../../../harness/generator/payload.ts";
import { groupEventOf, runsOf } from "../../../../harness/targets/kafka/consumer-process.ts";

type Rec = { offset: string; value: Buffer | null };

/** A record at `offset` holding producer's message seq (intended time seq·1000 µs). */
const rec = (offset: number, producer: number, seq: number, size = 64): Rec => ({
  offset: String(offset),
  value: Buffer.from(encodePayload(producer, seq, seq * 1000, size), "latin1"),
});
const raw = (offset: number, value: string | null): Rec => ({
  offset: String(offset),
  value: value === null ? null : Buffer.from(value),
});

describe("runsOf", () => {
  test("a record whose body fails its checksum is corrupted, not delivered, and breaks the run", () => {
    const good = rec(11, 0, 1);
    const bad = raw(11, `${(good.value as Buffer).toString("latin1").slice(0, -1)}!`);
    const out = runsOf(2, [rec(10, 0, 0), bad, rec(12, 0, 2)]);
    assert.deepEqual(out.runs, [
      [0, 0, 0, 2, 10],
      [0, 2, 2, 2, 12],
    ]);
    assert.equal(out.corrupted, 1);
    assert.equal(out.unparsed, 0);
  });

  test("each run carries its record batch's leader epoch, and a new epoch starts a new run", () => {
    const at = (offset: number, seq: number, partitionLeaderEpoch: number) => ({
      ...rec(offset, 0, seq),
      batchContext: { partitionLeaderEpoch },
    });
    const out = runsOf(1, [at(0, 0, 3), at(1, 1, 3), at(2, 2, 4), at(3, 3, -1)]);
    assert.deepEqual(out.runs, [
      [0, 0, 1, 1, 0, 3],
      [0, 2, 2, 1, 2, 4],
      [0, 3, 3, 1, 3], // -1: no epoch on the batch, so none recorded
    ]);
  });

  test("one producer's consecutive seqs at consecutive offsets make one run", () => {
    const records = [0, 1, 2, 3, 4].map((i) => rec(10 + i, 0, i));
    assert.deepEqual(runsOf(3, records), { runs: [[0, 0, 4, 3, 10]], unparsed: 0 });
  });

  test("an empty batch has no runs and no sample", () => {
    const m = runsOf(0, []);
    assert.deepEqual(m, { runs: [], unparsed: 0 });
    assert.equal("sample" in m, false);
  });

  test("a producer change starts a new run", () => {
    const records = [rec(0, 0, 7), rec(1, 0, 8), rec(2, 1, 9), rec(3, 1, 10), rec(4, 0, 9)];
    assert.deepEqual(runsOf(1, records).runs, [
      [0, 7, 8, 1, 0],
      [1, 9, 10, 1, 2],
      [0, 9, 9, 1, 4],
    ]);
  });

  test("a seq gap starts a new run, and so does a repeated or lower seq", () => {
    const records = [rec(0, 0, 0), rec(1, 0, 1), rec(2, 0, 3), rec(3, 0, 3), rec(4, 0, 2)];
    assert.deepEqual(runsOf(0, records).runs, [
      [0, 0, 1, 0, 0],
      [0, 3, 3, 0, 2],
      [0, 3, 3, 0, 3],
      [0, 2, 2, 0, 4],
    ]);
  });

  test("an offset gap (compaction, aborted records) starts a new run even when seqs continue", () => {
    const records = [rec(10, 2, 0), rec(11, 2, 1), rec(13, 2, 2), rec(14, 2, 3)];
    assert.deepEqual(runsOf(5, records).runs, [
      [2, 0, 1, 5, 10],
      [2, 2, 3, 5, 13],
    ]);
  });

  test("offsets are read as numbers, not strings (9 → 10 is consecutive)", () => {
    assert.deepEqual(runsOf(0, [rec(9, 0, 0), rec(10, 0, 1), rec(99, 0, 2), rec(100, 0, 3)]).runs, [
      [0, 0, 1, 0, 9],
      [0, 2, 3, 0, 99],
    ]);
  });

  test("unparsed values are counted with the first one as sample, and break the run", () => {
    const records = [rec(0, 0, 0), raw(1, "not a faultbench body"), raw(2, null), rec(3, 0, 1), rec(4, 0, 2)];
    const m = runsOf(2, records);
    assert.equal(m.unparsed, 2);
    assert.equal(m.sample, "not a faultbench body");
    assert.deepEqual(m.runs, [
      [0, 0, 0, 2, 0],
      [0, 1, 2, 2, 3],
    ]);
  });

  test("an unparsed run between seqs that continue still splits them", () => {
    // Offsets 0, 1 are consecutive seqs of p0 but a junk record sits between them in the batch.
    const m = runsOf(0, [rec(0, 0, 0), raw(1, "junk"), rec(1, 0, 1)]);
    assert.equal(m.unparsed, 1);
    assert.deepEqual(m.runs, [
      [0, 0, 0, 0, 0],
      [0, 1, 1, 0, 1],
    ]);
  });

  test("a null value's sample says so; long samples are cut to 120 characters", () => {
    assert.deepEqual(runsOf(0, [raw(0, null)]), { runs: [], unparsed: 1, sample: "(null value)" });
    const long = "y".repeat(500);
    const m = runsOf(0, [raw(0, long), raw(1, "second")]);
    assert.equal(m.unparsed, 2);
    assert.equal(m.sample, "y".repeat(120));
  });

  test("large payloads decode the same as small ones", () => {
    const records = [rec(0, 3, 100, 10_000), rec(1, 3, 101, 10_000)];
    assert.deepEqual(runsOf(0, records).runs, [[3, 100, 101, 0, 0]]);
  });
});

test("importing the module does not start the consumer", () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-consumer-"));
  try {
    const script = join(dir, "import-it.mjs");
    const mod = pathToFileURL(
      join(import.meta.dirname, "../../../../harness/targets/kafka/consumer-process.ts"),
    );
    writeFileSync(
      script,
      `const m = await import(${JSON.stringify(mod.href)});\nconsole.log(typeof m.runsOf);\n`,
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "function");
    assert.doesNotMatch(r.stderr, /usage/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("groupEventOf: kafkajs's group events as the history's group ops", () => {
  assert.deepEqual(
    groupEventOf("join", {
      memberId: "m",
      isLeader: true,
      duration: 152,
      memberAssignment: { t: [4, 0, 2] },
    }),
    { event: "join", memberId: "m", leader: true, durationMs: 152, partitions: [0, 2, 4] },
  );
  assert.deepEqual(groupEventOf("rebalancing", { memberId: "m" }), { event: "rebalancing", memberId: "m" });
  assert.deepEqual(
    groupEventOf("crash", {
      error: { type: "GROUP_LOAD_IN_PROGRESS", name: "KafkaJSProtocolError" },
      restart: true,
    }),
    {
      event: "crash",
      error: "GROUP_LOAD_IN_PROGRESS",
      restart: true,
    },
  );
  assert.deepEqual(groupEventOf("requestTimeout", { apiName: "Fetch", broker: "127.0.0.1:9092" }), {
    event: "request-timeout",
    error: "Fetch to 127.0.0.1:9092",
  });
});
