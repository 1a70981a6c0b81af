// The agent engine's collector: real HTTP posts in, DeliverySink calls out.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { encodePayload } from "../../../../harness/generator/payload.ts";
import { Collector } from "../../../../harness/targets/flume/collector.ts";
import type { DeliverySink } from "../../../../harness/targets/target.ts";

class RecordingSink implements DeliverySink {
  delivered_: { args: unknown[]; at: number }[] = [];
  unparsed_: { process: string; count: number; sample: string }[] = [];
  delivered(...args: Parameters<DeliverySink["delivered"]>): void {
    this.delivered_.push({ args: args.filter((a) => a !== undefined), at: performance.now() });
  }
  corrupt_: { process: string; count: number }[] = [];
  unparsed(process: string, count: number, sample: string, corrupt?: boolean): void {
    if (corrupt) this.corrupt_.push({ process, count });
    else this.unparsed_.push({ process, count, sample });
  }
  ranges() {
    return this.delivered_.map((d) => d.args);
  }
}

const ev = (producer: number, seq: number) => ({
  headers: {},
  body: encodePayload(producer, seq, seq * 10, 48),
});

let sink: RecordingSink;
let collector: Collector;
let url = "";

before(async () => {
  sink = new RecordingSink();
  collector = new Collector("sinkhole", sink, 0);
  const port = await collector.listen(0);
  assert.equal(collector.port, port);
  url = `http://127.0.0.1:${port}/`;
});
after(async () => {
  await collector.close();
});
beforeEach(() => {
  sink.delivered_ = [];
  sink.unparsed_ = [];
  collector.delayMs = 0;
});

const post = (body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("Collector", () => {
  test("a contiguous run of one producer is one delivery, named by the collector", async () => {
    const before = collector.received;
    const res = await post([0, 1, 2, 3, 4].map((s) => ev(2, s)));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "ok");
    assert.deepEqual(sink.ranges(), [["collector", "sinkhole", 2, 0, 4]]);
    assert.deepEqual(sink.unparsed_, []);
    assert.equal(collector.received - before, 5);
  });

  test("a body whose checksum fails is counted as corrupted, not delivered", async () => {
    sink.corrupt_ = [];
    const bad = ev(4, 1);
    bad.body = `${bad.body.slice(0, -1)}!`;
    const res = await post([ev(4, 0), bad, ev(4, 2)]);
    assert.equal(res.status, 200);
    assert.deepEqual(sink.ranges(), [
      ["collector", "sinkhole", 4, 0, 0],
      ["collector", "sinkhole", 4, 2, 2],
    ]);
    assert.deepEqual(sink.corrupt_, [{ process: "collector", count: 1 }]);
    assert.deepEqual(sink.unparsed_, []);
  });

  test("runs break where the producer changes or the seq does not follow", async () => {
    const res = await post([ev(0, 0), ev(0, 1), ev(1, 0), ev(0, 2), ev(0, 4), ev(0, 5), ev(0, 5), ev(0, 3)]);
    assert.equal(res.status, 200);
    assert.deepEqual(sink.ranges(), [
      ["collector", "sinkhole", 0, 0, 1],
      ["collector", "sinkhole", 1, 0, 0],
      ["collector", "sinkhole", 0, 2, 2],
      ["collector", "sinkhole", 0, 4, 5],
      ["collector", "sinkhole", 0, 5, 5],
      ["collector", "sinkhole", 0, 3, 3],
    ]);
  });

  test("each request is accounted separately: runs do not merge across posts", async () => {
    await post([ev(0, 0), ev(0, 1)]);
    await post([ev(0, 2), ev(0, 3)]);
    assert.deepEqual(sink.ranges(), [
      ["collector", "sinkhole", 0, 0, 1],
      ["collector", "sinkhole", 0, 2, 3],
    ]);
  });

  test("events faultbench did not write are counted as unparsed, with the first as sample", async () => {
    const before = collector.received;
    const res = await post([{ headers: {}, body: "junk" }, ev(0, 7), { headers: {} }, null, 5, { body: 42 }]);
    assert.equal(res.status, 200);
    assert.deepEqual(sink.ranges(), [["collector", "sinkhole", 0, 7, 7]]);
    assert.deepEqual(sink.unparsed_, [
      { process: "collector", count: 5, sample: '{"headers":{},"body":"junk"}' },
    ]);
    assert.equal(collector.received - before, 6);
  });

  test("an empty array is fine and records nothing", async () => {
    assert.equal((await post([])).status, 200);
    assert.deepEqual(sink.ranges(), []);
    assert.deepEqual(sink.unparsed_, []);
  });

  test("bad JSON and a non-array are 400 and record nothing", async () => {
    const bad = await post("[{not json");
    assert.equal(bad.status, 400);
    assert.equal(await bad.text(), "invalid JSON");
    const obj = await post({ headers: {}, body: encodePayload(0, 0, 0, 48) });
    assert.equal(obj.status, 400);
    assert.match(await obj.text(), /array/);
    assert.deepEqual(sink.ranges(), []);
    assert.deepEqual(sink.unparsed_, []);
  });

  test("delayMs holds the answer, and the delivery is recorded when the answer goes out", async () => {
    collector.delayMs = 150;
    const t0 = performance.now();
    const pending = post([ev(4, 0), ev(4, 1)]);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(sink.ranges(), [], "recorded before the delayed answer");
    const res = await pending;
    const took = performance.now() - t0;
    assert.equal(res.status, 200);
    assert.ok(took >= 145, `answered after ${took} ms`);
    assert.deepEqual(sink.ranges(), [["collector", "sinkhole", 4, 0, 1]]);
    assert.ok(sink.delivered_[0]!.at - t0 >= 145);
  });
});

test("the base delay given at construction applies from the first request", async () => {
  const s = new RecordingSink();
  const c = new Collector("slowpoke", s, 120);
  const port = await c.listen(0);
  try {
    assert.equal(c.delayMs, 120);
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      body: JSON.stringify([ev(0, 0)]),
    });
    assert.equal(res.status, 200);
    assert.ok(performance.now() - t0 >= 115);
    assert.deepEqual(s.ranges(), [["collector", "slowpoke", 0, 0, 0]]);
  } finally {
    await c.close();
  }
});
