/**
 * Conformance with librdkafka through Debian's kcat, against a real broker process: metadata,
 * produce with acks 0/1/all with and without keys (placed by librdkafka's own consistent_random
 * partitioner, CRC-32 of the key), consume to the end of every partition with `-e` (kcat exits
 * only when librdkafka reports end-of-partition for all of them), and every compression codec
 * librdkafka sends, stored verbatim. Any librdkafka error or protocol parse failure fails the test.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { crc32 } from "node:zlib";
import { checkBatch, Off } from "../../../engines/log/records/record-batch.ts";
import { spawnBroker } from "./helpers/broker.ts";
import { kcatOrSkip, protocolErrors, run } from "./helpers/librdkafka.ts";
import { tempDir } from "./helpers/tmp.ts";

const PARTITIONS = 3;

async function kcat(args: string[], input?: string) {
  const r = await run("kcat", args, input);
  assert.deepEqual(protocolErrors(r.stderr), [], `kcat ${args.join(" ")} reported errors`);
  assert.equal(r.code, 0, `kcat ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Consumes every partition from the beginning to its end; returns key|value|partition|offset rows. */
async function consumeAll(bootstrap: string, topic: string) {
  const started = Date.now();
  const out = await kcat(["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-f", "%k|%s|%p|%o\\n"]);
  const elapsed = Date.now() - started;
  const rows = out
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => {
      const [key, value, partition, offset] = l.split("|");
      return { key: key!, value: value!, partition: Number(partition), offset: Number(offset) };
    });
  return { rows, elapsed };
}

test("kcat: metadata, acks 0/1/all with and without keys, consume to end of partition", async (t) => {
  if (!kcatOrSkip(t)) return;
  const broker = await spawnBroker(t, tempDir(t), { "num.partitions": String(PARTITIONS) });
  const bootstrap = `127.0.0.1:${broker.port}`;

  // An empty, auto-created topic: kcat -e must still see end-of-partition and exit.
  await kcat(["-P", "-b", bootstrap, "-t", "warm", "-X", "acks=all"], "w\n");
  const md = JSON.parse(await kcat(["-L", "-J", "-b", bootstrap, "-t", "warm"])) as {
    brokers: Array<{ id: number; name: string }>;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
  };
  assert.deepEqual(md.brokers, [{ id: 1, name: bootstrap }]);
  assert.equal(md.topics[0]!.topic, "warm");
  assert.deepEqual(
    md.topics[0]!.partitions.map((p) => [p.partition, p.leader]),
    [0, 1, 2].map((p) => [p, 1]),
  );

  const expected: Array<{ key: string; value: string }> = [];
  for (const acks of ["0", "1", "all"]) {
    const keyed = Array.from({ length: 40 }, (_, i) => ({ key: `key-${i % 9}`, value: `acks${acks}-k${i}` }));
    const plain = Array.from({ length: 40 }, (_, i) => ({ key: "", value: `acks${acks}-p${i}` }));
    await kcat(
      ["-P", "-b", bootstrap, "-t", "t", "-X", `acks=${acks}`, "-K", ":"],
      keyed.map((m) => `${m.key}:${m.value}\n`).join(""),
    );
    await kcat(
      ["-P", "-b", bootstrap, "-t", "t", "-X", `acks=${acks}`],
      plain.map((m) => `${m.value}\n`).join(""),
    );
    expected.push(...keyed, ...plain);
  }

  const { rows, elapsed } = await consumeAll(bootstrap, "t");
  assert.deepEqual(rows.map((r) => r.value).sort(), expected.map((m) => m.value).sort(), "each value once");
  // librdkafka's default partitioner (consistent_random): CRC-32 of the key modulo the partition count.
  for (const r of rows.filter((r) => r.key !== "")) {
    assert.equal(r.partition, crc32(r.key) % PARTITIONS, `${r.key} on partition ${r.partition}`);
  }
  // Offsets are dense per partition, from 0.
  for (let p = 0; p < PARTITIONS; p++) {
    const offsets = rows.filter((r) => r.partition === p).map((r) => r.offset);
    assert.deepEqual(
      offsets,
      offsets.map((_, i) => i),
      `partition ${p} offsets`,
    );
  }
  // End of partition is reported on the first empty fetch, not after retries and back-offs.
  assert.ok(elapsed < 5000, `kcat -e took ${elapsed} ms`);
  const empty = await consumeAll(bootstrap, "warm");
  assert.deepEqual(
    empty.rows.map((r) => r.value),
    ["w"],
  );
});

test("kcat: gzip, snappy, lz4 and zstd batches are stored verbatim and read back", async (t) => {
  if (!kcatOrSkip(t)) return;
  const dir = tempDir(t);
  const broker = await spawnBroker(t, dir, {});
  const bootstrap = `127.0.0.1:${broker.port}`;
  const codecs = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
  for (const [codec, _id] of Object.entries(codecs)) {
    // Repetitive values so every codec really compresses (librdkafka sends the batch uncompressed
    // when compression does not make it smaller).
    const values = Array.from({ length: 50 }, (_, i) => `${codec}-${i}-${"x".repeat(60)}`);
    await kcat(
      ["-P", "-b", bootstrap, "-t", `c-${codec}`, "-z", codec, "-X", "acks=all"],
      `${values.join("\n")}\n`,
    );
    const { rows } = await consumeAll(bootstrap, `c-${codec}`);
    assert.deepEqual(
      rows.map((r) => r.value),
      values,
      codec,
    );
  }
  // The segment files hold the batches with the codec librdkafka chose, i.e. never recompressed.
  for (const [codec, id] of Object.entries(codecs)) {
    const pdir = join(dir, `c-${codec}-0`);
    const file = readdirSync(pdir).find((f) => f.endsWith(".log"))!;
    const buf = readFileSync(join(pdir, file));
    const seen = new Set<number>();
    for (let pos = 0; pos < buf.length; ) {
      const c = checkBatch(buf, pos);
      assert.ok(c.ok, `${codec}: a valid batch at ${pos}`);
      seen.add(buf.readInt16BE(pos + Off.attributes) & 7);
      pos += c.size;
    }
    assert.deepEqual([...seen], [id], `${codec}: stored codec ids`);
  }
});
