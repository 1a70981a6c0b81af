// truncateFullyAndStartAt through the lazy file-I/O layer: the reset is durable on its own (the
// new segment's creation fsyncs the directory, which makes the removals durable too), so after a
// power loss the log starts at the new offset with none of the old segments back.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { defaultLogConfig } from "../../../../engines/log/storage/log-config.ts";
import { PartitionLog } from "../../../../engines/log/storage/partition-log.ts";
import { closeLazyIO, enableLazyIO } from "../../../../engines/shared/file-io.ts";

const dir = mkdtempSync(join(tmpdir(), "fb-reset-"));
after(() => {
  closeLazyIO();
  rmSync(dir, { recursive: true, force: true });
});

test("a log reset before a power loss is what the replica finds after it", () => {
  const journal = join(dir, "journal");
  const data = join(dir, "data");
  mkdirSync(data);
  enableLazyIO(journal);
  const cfg = { ...defaultLogConfig, segmentBytes: 300 };
  const log = PartitionLog.open(data, "t", 0, cfg);
  for (let i = 0; i < 8; i++) log.append(buildBatch([{ value: Buffer.from(`old-${i}`.padEnd(80, ".")) }]));
  log.flush();
  assert.ok(log.segmentCount > 2);

  log.truncateFullyAndStartAt(40);
  // Appended after the reset but never fsynced: a power loss takes it.
  log.append(buildBatch([{ value: Buffer.from("unsynced") }]));
  assert.equal(log.logEndOffset, 41);

  const { rolledBack } = enableLazyIO(journal);
  assert.ok(
    rolledBack.some((r) => r.startsWith("truncate")),
    rolledBack.join("\n"),
  );
  const back = PartitionLog.open(data, "t", 0, cfg, true);
  assert.equal(back.logStartOffset, 40);
  assert.equal(back.logEndOffset, 40);
  assert.deepEqual(
    readdirSync(join(data, "t-0"))
      .filter((f) => f.endsWith(".log"))
      .map((f) => Number(f.slice(0, 20))),
    [40],
  );
  back.close();
});
