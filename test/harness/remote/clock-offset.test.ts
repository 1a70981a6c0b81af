import assert from "node:assert/strict";
import { test } from "node:test";
import { estimateOffset } from "../../../harness/remote/clock-offset.ts";

test("the minimum-RTT round trip gives the offset, within half its RTT", () => {
  // The worker's clock runs 5000 µs ahead; paths are asymmetric on the slow samples.
  const truth = 5000;
  const sample = (sentUs: number, outUs: number, backUs: number) => ({
    sentUs,
    workerUs: sentUs + outUs + truth,
    receivedUs: sentUs + outUs + backUs,
  });
  const e = estimateOffset([sample(0, 900, 100), sample(10_000, 200, 220), sample(20_000, 50, 3000)]);
  assert.equal(e.rttUs, 420);
  assert.equal(e.errorUs, 210);
  assert.equal(e.offsetUs, truth - 10);
  assert.ok(Math.abs(e.offsetUs - truth) <= e.errorUs);
  assert.equal(e.samples, 3);
});

test("samples where time ran backwards are ignored; none at all is an error", () => {
  assert.throws(() => estimateOffset([]), /no clock samples/);
  assert.throws(() => estimateOffset([{ sentUs: 10, workerUs: 5, receivedUs: 9 }]), /no usable/);
  const e = estimateOffset([
    { sentUs: 10, workerUs: 5, receivedUs: 9 },
    { sentUs: 100, workerUs: 160, receivedUs: 120 },
  ]);
  assert.equal(e.offsetUs, 50);
});
