import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { answerCell, capacityTable } from "../../../harness/sweep/capacity-table.ts";
import type { SweepPoint } from "../../../harness/sweep/types.ts";

const point = (o: Partial<SweepPoint>): SweepPoint => ({
  scenario: "capacity-log",
  engine: "log",
  values: {},
  design: "capacity-log partitions=6",
  dir: "point-1",
  status: "converged",
  offeredPerSec: 64000,
  ackedPerSec: 63932,
  endToEndP50: 6.9,
  endToEndP99: 27.09,
  lost: 0,
  harnessBound: false,
  sloHeld: true,
  maxRate: 64000,
  searchEnd: "converged",
  brokeAt: 65000,
  machineBusyMaxPct: 70,
  ...o,
});

describe("the capacity table", () => {
  test("an answer is a rate, a bracket, a lower bound or none, never more than the search showed", () => {
    assert.equal(answerCell(point({})), "64,000/s");
    assert.equal(answerCell(point({ searchEnd: "max-steps", brokeAt: 96000 })), "64,000–96,000/s");
    assert.equal(answerCell(point({ harnessBound: true, searchEnd: "harness-bound" })), "≥ 64,000/s");
    assert.equal(answerCell(point({ searchEnd: "unbounded", brokeAt: null })), "≥ 64,000/s");
    assert.equal(answerCell(point({ maxRate: null, searchEnd: "nothing-good", sloHeld: false })), "none");
  });

  test("rows carry the figures at the answer and say how far to trust them", () => {
    const t = capacityTable([
      point({}),
      point({
        design: "capacity-log partitions=1",
        harnessBound: true,
        searchEnd: "harness-bound",
        machineBusyMaxPct: 97,
      }),
      point({ design: "capacity-agent-1hop", engine: "agent", maxRate: null, searchEnd: "nothing-good" }),
    ]).split("\n");
    assert.equal(t.length, 4);
    assert.match(
      t[0] as string,
      /^design point\s+engine\s+max rate\s+acked\s+e2e p99 there\s+lost\s+how far to trust it$/,
    );
    assert.match(
      t[1] as string,
      /capacity-log partitions=6\s+log\s+64,000\/s\s+63,932\/s\s+27\.09 ms\s+0\s+converged$/,
    );
    assert.match(
      t[2] as string,
      /≥ 64,000\/s .*harness-bound: the load path's limit, not the engine's; machine up to 97% busy$/,
    );
    assert.match(
      t[3] as string,
      /capacity-agent-1hop\s+agent\s+none\s+—\s+—\s+—\s+no tested rate held the SLOs$/,
    );
  });
});
