import assert from "node:assert/strict";
import { test } from "node:test";
import {
  caveats,
  medianFigures,
  parseRates,
  type RunFigures,
  targetVerdict,
} from "../../../bench/log-e2e/summary.ts";

const fig = (p99: number, over: Partial<RunFigures> = {}): RunFigures => ({
  p50: p99 / 4,
  p99,
  p999: p99 * 2,
  fromSendP99: p99 / 2,
  delivered: 1000,
  cpu: { brokers: 0.5, producer: 0.1, consumer: 0.1, machine: 0.8 },
  ...over,
});

test("parseRates reads plain numbers and k/M suffixes, and names a bad item", () => {
  assert.deepEqual(parseRates("5000,20k,1.5M, 2K"), [5000, 20_000, 1_500_000, 2000]);
  assert.throws(() => parseRates("5k,fast"), /not a rate: "fast"/);
  assert.throws(() => parseRates("0"), /at least 1/);
});

test("medianFigures takes each figure's median over the runs", () => {
  const m = medianFigures([fig(4), fig(12), fig(8, { delivered: 900 })]);
  assert.equal(m.p99, 8);
  assert.equal(m.p50, 2);
  assert.equal(m.delivered, 1000);
  assert.equal(m.cpu.brokers, 0.5);
});

test("caveats name a saturated bench process, a path that fell behind, and a busy machine", () => {
  assert.deepEqual(caveats(fig(5), 1000, 2), []);
  const c = caveats(
    fig(5, { delivered: 500, cpu: { brokers: 0.3, producer: 0.95, consumer: 0.2, machine: 2 } }),
    1000,
    2,
  );
  assert.equal(c.length, 3);
  assert.match(c[0]!, /producer used 0\.95 cores/);
  assert.match(c[1]!, /delivered 500 of 1000/);
  assert.match(c[2]!, /other processes used 0\.55 of 2 cores/);
});

test("targetVerdict judges the target rate and finds the highest rate that held the limit", () => {
  const byRate = new Map([
    [1000, fig(2)],
    [5000, fig(9)],
    [20_000, fig(30)],
  ]);
  assert.deepEqual(targetVerdict(byRate, 20_000, 10), { met: false, p99: 30, highestHeld: 5000 });
  assert.deepEqual(targetVerdict(byRate, 5000, 10), { met: true, p99: 9, highestHeld: 5000 });
  assert.equal(targetVerdict(new Map([[1000, fig(2)]]), 1000, 10).highestHeld, null);
  assert.equal(
    targetVerdict(
      new Map([
        [1000, fig(20)],
        [2000, fig(30)],
      ]),
      2000,
      10,
    ).highestHeld,
    null,
  );
  assert.throws(() => targetVerdict(byRate, 7, 10), /no figures at the target rate 7/);
});
