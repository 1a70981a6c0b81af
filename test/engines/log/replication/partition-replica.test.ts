import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode } from "../../../../engines/log/protocol/error-codes.ts";
import { buildBatch } from "../../../../engines/log/records/batch-builder.ts";
import { PartitionReplica } from "../../../../engines/log/replication/partition-replica.ts";
import { defaultLogConfig } from "../../../../engines/log/storage/log-config.ts";
import { PartitionLog } from "../../../../engines/log/storage/partition-log.ts";
import { tempDir } from "../helpers/tmp.ts";

const state = { replicas: [1, 2], leader: 1, isr: [1, 2], leaderEpoch: 1, partitionEpoch: 0 };

test("acks=all waiters complete exactly when the HW passes their batch, in any order they were parked", async (t) => {
  const log = PartitionLog.open(tempDir(t), "t", 0, defaultLogConfig);
  const r = new PartitionReplica("t", 0, log, 1, () => 2, state);
  r.becomeLeader(state);
  const done: string[] = [];
  const park = (name: string, lastOffset: number) =>
    r.waitForHighWatermark(lastOffset, 10_000).then((code) => {
      assert.equal(code, 0);
      done.push(name);
    });
  const ends = [0, 1, 2].map(() => log.append(buildBatch([{ value: Buffer.from("x") }, { value: null }])));
  const waits = [park("a", 1), park("b", 3), park("c", 5)];
  // A retried idempotent batch parks on older offsets, after newer waiters.
  waits.push(park("a-retry", 1));
  assert.deepEqual(
    ends.map((e) => ("lastOffset" in e ? e.lastOffset : -1)),
    [1, 3, 5],
  );
  r.recordFollowerFetch(2, 2);
  await new Promise((res) => setImmediate(res));
  assert.deepEqual(done.sort(), ["a", "a-retry"]);
  r.recordFollowerFetch(2, 6);
  await Promise.all(waits);
  assert.deepEqual(done.slice(2), ["b", "c"]);
  // A waiter the HW never reaches times out; leadership loss fails the rest.
  log.append(buildBatch([{ value: Buffer.from("y") }]));
  assert.equal(await r.waitForHighWatermark(6, 20), ErrorCode.REQUEST_TIMED_OUT);
  const lost = r.waitForHighWatermark(6, 10_000);
  r.becomeFollower({ ...state, leader: 2, leaderEpoch: 2 });
  assert.equal(await lost, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});
