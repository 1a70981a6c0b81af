import assert from "node:assert/strict";
import { test } from "node:test";
import type { Op } from "../../../harness/history/op.ts";
import { consumerGroupEvents, consumerGroupLines } from "../../../harness/metrics/consumer-group.ts";

const deliver = (t: number, node: string): Op => ({
  t,
  process: node,
  type: "ok",
  f: "deliver",
  producer: 0,
  from: t,
  to: t,
  node,
});

test("each group event carries the consumer's delivery pause around it; setup joins (t < 0) are left out", () => {
  const ops: Op[] = [
    {
      t: -500_000,
      process: "consumer-1",
      type: "info",
      f: "group",
      node: "consumer-1",
      event: "join",
      durationMs: 30,
    },
    deliver(1_000_000, "consumer-1"),
    deliver(1_100_000, "consumer-2"),
    deliver(2_000_000, "consumer-1"),
    {
      t: 7_000_000,
      process: "consumer-1",
      type: "info",
      f: "group",
      node: "consumer-1",
      event: "rebalancing",
    },
    {
      t: 7_150_000,
      process: "consumer-1",
      type: "info",
      f: "group",
      node: "consumer-1",
      event: "join",
      durationMs: 150,
      leader: true,
      partitions: [0, 2, 4],
    },
    deliver(7_200_000, "consumer-1"),
  ];
  const rows = consumerGroupEvents(ops)!;
  assert.deepEqual(rows, [
    { atMs: 7000, node: "consumer-1", event: "rebalancing", quietBeforeMs: 5000, quietAfterMs: 200 },
    {
      atMs: 7150,
      node: "consumer-1",
      event: "join",
      quietBeforeMs: 5150,
      quietAfterMs: 50,
      durationMs: 150,
      leader: true,
      partitions: [0, 2, 4],
    },
  ]);
  assert.deepEqual(consumerGroupLines(rows), [
    "consumer-1 at 7.00 s: stopped fetching to rejoin (rebalance); no delivery for 5000 ms before, next 200 ms after",
    "consumer-1 at 7.15 s: joined in 150 ms as leader, 3 partitions; no delivery for 5150 ms before, next 50 ms after",
  ]);
  assert.equal(consumerGroupEvents([deliver(1, "consumer-1")]), undefined, "no events: no field");
});
