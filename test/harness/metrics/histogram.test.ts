import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as hdr from "hdr-histogram-js";
import { LatencyHistogram } from "../../../harness/metrics/histogram.ts";

describe("LatencyHistogram", () => {
  test("percentiles of known µs values, reported in ms", () => {
    const h = new LatencyHistogram();
    for (const us of [100, 200, 300, 400, 1000]) h.record(us);
    assert.equal(h.count, 5);
    assert.deepEqual(h.percentiles(), { count: 5, mean: 0.4, p50: 0.3, p90: 1, p99: 1, p999: 1, max: 1 });
    assert.equal(h.at(50), 0.3);
    assert.equal(h.at(0), 0.1);
    assert.equal(h.at(100), 1);
  });

  test("a count records that many samples of one value", () => {
    const h = new LatencyHistogram();
    h.record(500, 99);
    h.record(1500);
    assert.equal(h.count, 100);
    const p = h.percentiles();
    assert.equal(p.p50, 0.5);
    assert.equal(p.p99, 0.5);
    assert.equal(p.p999, 1.5);
    assert.equal(p.max, 1.5);
    assert.equal(p.mean, 0.51);
  });

  test("large values keep 3 significant digits and never exceed the true maximum", () => {
    const h = new LatencyHistogram();
    for (const us of [1000, 2000, 3000, 4000, 40_000]) h.record(us);
    const p = h.percentiles();
    assert.equal(p.max, 40);
    assert.equal(p.p99, 40);
    assert.ok(Math.abs(p.p50 - 3) <= 0.003, `p50 ${p.p50}`);
    assert.ok(Math.abs(p.mean - 10) <= 0.01, `mean ${p.mean}`);
  });

  test("negative latencies count as 0 and fractions are rounded to whole µs", () => {
    const h = new LatencyHistogram();
    h.record(-250);
    h.record(10.6);
    assert.equal(h.count, 2);
    assert.equal(h.at(0), 0);
    assert.equal(h.at(100), 0.011);
  });

  test("an empty histogram reports zeros and null percentiles", () => {
    const h = new LatencyHistogram();
    assert.equal(h.count, 0);
    assert.equal(h.at(50), null);
    assert.deepEqual(h.percentiles(), { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  });

  test("encodes into HDR's base64 form that decodes to the same samples", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    const decoded = hdr.decodeFromCompressedBase64(h.encode());
    assert.equal(decoded.totalCount, 1000);
    assert.equal(decoded.maxValue, 1000);
    assert.equal(decoded.getValueAtPercentile(50), 500);
  });
});
