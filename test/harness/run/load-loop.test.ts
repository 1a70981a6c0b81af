// The open-loop load against a fake driver that records every batch and answers after a delay:
// what was planned is sent once, in per-producer batches, and every send op is answered.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type PlannedMessage, Schedule } from "../../../harness/generator/schedule.ts";
import type { SendOp } from "../../../harness/history/op.ts";
import { LoadLoop } from "../../../harness/run/load-loop.ts";
import { type Scenario, scenarioFromObject } from "../../../harness/scenario/load.ts";
import type { Client, SendOutcome } from "../../../harness/targets/target.ts";

function scenario(workload: Record<string, unknown> = {}): Scenario {
  return scenarioFromObject(
    {
      name: "loop",
      engine: "agent",
      seed: 7,
      topology: { agents: { a1: { channel: { type: "memory" }, sinks: ["collector"] } } },
      workload: {
        rate: "2000/s",
        producers: 2,
        warmup: "100ms",
        duration: "400ms",
        batchSize: 10,
        linger: "2ms",
        ...workload,
      },
    },
    "loop.yaml",
  );
}

interface SentBatch {
  call: number;
  producer: number;
  seqs: number[];
  producers: number[];
  intended: number[];
  t: number;
  outcome?: SendOutcome | "throw";
}

/** Answers call k with `answer(k)` after `delayMs`; tracks concurrency per producer. */
class FakeDriver implements Client {
  readonly batches: SentBatch[] = [];
  readonly inFlight = new Map<number, number>();
  readonly maxInFlight = new Map<number, number>();
  constructor(
    private readonly now: () => number,
    private readonly delayMs: number,
    private readonly answer: (call: number) => SendOutcome | "throw" = () => ({ type: "ok" }),
  ) {}
  async start() {}
  async send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    const call = this.batches.length;
    const b: SentBatch = {
      call,
      producer,
      seqs: batch.map((m) => m.seq),
      producers: batch.map((m) => m.producer),
      intended: batch.map((m) => m.intendedUs),
      t: this.now(),
    };
    this.batches.push(b);
    const n = (this.inFlight.get(producer) ?? 0) + 1;
    this.inFlight.set(producer, n);
    this.maxInFlight.set(producer, Math.max(n, this.maxInFlight.get(producer) ?? 0));
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight.set(producer, (this.inFlight.get(producer) ?? 0) - 1);
    const out = this.answer(call);
    b.outcome = out;
    if (out === "throw") throw new Error(`driver blew up on call ${call}`);
    return out;
  }
  async close() {}
}

function planned(s: Scenario): PlannedMessage[] {
  const sched = new Schedule(s.workload, s.seed);
  const out: PlannedMessage[] = [];
  for (let m = sched.next(); m !== undefined; m = sched.next()) out.push(m);
  return out;
}

function harness(s: Scenario, delayMs: number, answer?: (call: number) => SendOutcome | "throw") {
  const start = performance.now();
  const now = () => Math.round((performance.now() - start) * 1000);
  const driver = new FakeDriver(now, delayMs, answer);
  const ops: SendOp[] = [];
  const outcomes: [number, number, number, string][] = [];
  const loop = new LoadLoop(s, {
    client: driver,
    now,
    record: (op) => ops.push(op),
    onOutcome: (p, from, to, type) => outcomes.push([p, from, to, type]),
  });
  return { driver, ops, outcomes, loop, now };
}

/** Checks every invoke has exactly one later completion with the same ids, and returns them by req. */
function pairs(ops: readonly SendOp[]): Map<number, { invoke: SendOp; done: SendOp }> {
  const invokes = new Map<number, SendOp>();
  const out = new Map<number, { invoke: SendOp; done: SendOp }>();
  for (const op of ops) {
    assert.equal(op.f, "send");
    if (op.type === "invoke") {
      assert.ok(!invokes.has(op.req), `req ${op.req} invoked twice`);
      invokes.set(op.req, op);
      continue;
    }
    const inv = invokes.get(op.req);
    assert.ok(inv, `completion of req ${op.req} without an invoke before it`);
    assert.ok(!out.has(op.req), `req ${op.req} completed twice`);
    assert.deepEqual(
      { process: op.process, producer: op.producer, from: op.from, to: op.to },
      { process: inv.process, producer: inv.producer, from: inv.from, to: inv.to },
    );
    assert.ok(op.t >= inv.t);
    out.set(op.req, { invoke: inv, done: op });
  }
  assert.equal(out.size, invokes.size, "some invokes were never answered");
  return out;
}

describe("LoadLoop", () => {
  test("every planned message is sent once, in contiguous per-producer batches of at most batchSize", async () => {
    const s = scenario();
    const plan = planned(s);
    assert.equal(plan.length, 1000, "2000/s for 500 ms");
    const { driver, ops, loop } = harness(s, 3);
    await loop.run();
    await loop.settled();

    for (const b of driver.batches) {
      assert.ok(b.seqs.length >= 1 && b.seqs.length <= 10, `batch of ${b.seqs.length}`);
      assert.ok(
        b.producers.every((p) => p === b.producer),
        "a batch mixes producers",
      );
      b.seqs.forEach((q, i) => {
        assert.equal(q, (b.seqs[0] as number) + i, "a batch is not contiguous");
      });
    }
    for (const p of [0, 1]) {
      const sent = driver.batches.filter((b) => b.producer === p).flatMap((b) => b.seqs);
      const want = plan.filter((m) => m.producer === p).map((m) => m.seq);
      assert.equal(want.length, 500);
      assert.deepEqual(sent, want, `producer ${p} sent something other than its plan, once, in order`);
      const intended = driver.batches.filter((b) => b.producer === p).flatMap((b) => b.intended);
      assert.deepEqual(
        intended,
        plan.filter((m) => m.producer === p).map((m) => m.intendedUs),
      );
    }
    // Open loop: a batch leaves once full or lingered, never before its first message is due.
    for (const b of driver.batches) assert.ok(b.t >= (b.intended[0] as number), "sent before its time");
    const lateUs = driver.batches.map((b) => b.t - (b.intended[0] as number)).sort((a, b) => a - b);
    const median = lateUs[Math.floor(lateUs.length / 2)] as number;
    assert.ok(median < 20_000, `median batch waited ${median}µs with linger 2ms`);
    assert.equal(ops.length, driver.batches.length * 2);
  });

  test("the timer wakes when a batch fills or its linger runs out: never early, and not long after", async () => {
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    // Full batches: 2,000/s per producer fills 10 every 5 ms, well inside the 200 ms linger.
    const full = harness(scenario({ rate: "4000/s", linger: "200ms" }), 1);
    await full.loop.run();
    await full.loop.settled();
    const fills = full.driver.batches.filter((b) => b.seqs.length === 10);
    assert.ok(fills.length >= full.driver.batches.length - 2, "batches left before they were full");
    for (const b of fills)
      assert.ok(b.t >= (b.intended[9] as number), "a batch left before its last message was due");
    const fillLate = median(fills.map((b) => b.t - (b.intended[9] as number)));
    assert.ok(fillLate < 5_000, `full batches left a median ${fillLate} µs after they filled`);
    // Lone messages: 5/s per producer, so each one waits out the 30 ms linger alone.
    const loneScenario = scenario({ rate: "10/s", linger: "30ms", duration: "1s" });
    const lone = harness(loneScenario, 1);
    await lone.loop.run();
    await lone.loop.settled();
    const sizes = lone.driver.batches.map((b) => b.seqs.length);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      planned(loneScenario).length,
    );
    // The plan's last message of each producer goes at once when the plan ends, linger or not.
    const lingered = lone.driver.batches.filter((b) =>
      lone.driver.batches.some((later) => later.producer === b.producer && later.call > b.call),
    );
    for (const b of lingered)
      assert.ok(b.t >= (b.intended[0] as number) + 30_000, "a lone message left before its linger ran out");
    const lingerLate = median(lingered.map((b) => b.t - (b.intended[0] as number) - 30_000));
    assert.ok(lingerLate < 5_000, `lingering messages left a median ${lingerLate} µs after the deadline`);
  });

  test("invoke and completion ops pair up by req with the driver's outcome types", async () => {
    const s = scenario();
    const answer = (k: number): SendOutcome | "throw" =>
      k % 13 === 5
        ? "throw"
        : k % 7 === 3
          ? { type: "fail", error: `refused ${k}` }
          : k % 5 === 1
            ? { type: "info", error: `timeout ${k}` }
            : { type: "ok" };
    const { driver, ops, outcomes, loop } = harness(s, 2, answer);
    await loop.run();
    await loop.settled();

    const byReq = pairs(ops);
    assert.equal(byReq.size, driver.batches.length);
    // Reqs are handed out in send order, so req k is the driver's call k.
    const reqs = ops.filter((o) => o.type === "invoke").map((o) => o.req);
    assert.deepEqual(
      reqs,
      driver.batches.map((_, i) => i),
    );
    let acked = 0;
    let failed = 0;
    let indeterminate = 0;
    for (const b of driver.batches) {
      const { invoke, done } = byReq.get(b.call)!;
      assert.equal(invoke.process, `producer-${b.producer}`);
      assert.deepEqual([invoke.producer, invoke.from, invoke.to], [b.producer, b.seqs[0], b.seqs.at(-1)]);
      const n = b.seqs.length;
      if (b.outcome === "throw") {
        assert.equal(done.type, "info");
        assert.match(done.error ?? "", /driver blew up on call/);
        indeterminate += n;
      } else if (b.outcome?.type === "ok") {
        assert.equal(done.type, "ok");
        assert.equal("error" in done, false);
        acked += n;
      } else {
        assert.equal(done.type, b.outcome?.type);
        assert.equal(done.error, b.outcome && "error" in b.outcome ? b.outcome.error : undefined);
        if (done.type === "fail") failed += n;
        else indeterminate += n;
      }
    }
    assert.ok(failed > 0 && indeterminate > 0 && acked > 0, "the answers cover ok, fail and info");
    assert.deepEqual(loop.counters, {
      offered: 1000,
      sent: 1000,
      acked,
      failed,
      indeterminate,
      inFlight: 0,
      heldByInFlight: 0,
      lateTicks: loop.counters.lateTicks,
    });
    assert.equal(outcomes.length, driver.batches.length);
    const completions = ops.filter((o) => o.type !== "invoke");
    assert.deepEqual(
      outcomes,
      completions.map((o) => [o.producer, o.from, o.to, o.type]),
    );
  });

  test("send ops keep the history's line shape: one invoke and one completion per request, fields in order", async () => {
    const s = scenario();
    const { ops, loop } = harness(s, 1, (k) =>
      k === 1 ? { type: "fail", error: "HTTP 503" } : { type: "ok" },
    );
    await loop.run();
    await loop.settled();
    const keys = (op: SendOp) => Object.keys(op).join(",");
    const byReq = pairs(ops);
    const first = byReq.get(0)!;
    const second = byReq.get(1)!;
    assert.equal(keys(first.invoke), "t,type,process,f,req,producer,from,to");
    assert.equal(keys(first.done), "t,type,process,f,req,producer,from,to");
    assert.equal(keys(second.done), "t,type,process,f,req,producer,from,to,error");
    assert.equal(ops.length, 2 * byReq.size);
  });

  test("settled() resolves every waiter once the last request has answered", async () => {
    const { ops, loop } = harness(scenario({ duration: "100ms" }), 5);
    const running = loop.run();
    const waits = [loop.settled(), loop.settled()];
    await running;
    await Promise.all([...waits, loop.settled()]);
    assert.equal(loop.counters.inFlight, 0);
    assert.equal(
      ops.filter((o) => o.type === "invoke").length,
      ops.filter((o) => o.type !== "invoke").length,
    );
  });

  test("maxInFlight caps outstanding requests per producer when the driver is slow", async () => {
    const s = scenario({ maxInFlight: 2 });
    const { driver, ops, loop } = harness(s, 40);
    await loop.run();
    await loop.settled();
    for (const p of [0, 1]) {
      assert.equal(driver.maxInFlight.get(p), 2, `producer ${p} had ${driver.maxInFlight.get(p)} in flight`);
    }
    // Blocked producers queue up, so their batches fill to batchSize.
    assert.ok(driver.batches.filter((b) => b.seqs.length === 10).length > driver.batches.length / 2);
    const sent = driver.batches.reduce((n, b) => n + b.seqs.length, 0);
    assert.equal(sent, 1000);
    // Replay the history: outstanding invokes per producer never exceed 2.
    const open = [0, 0];
    for (const op of ops) {
      open[op.producer] = (open[op.producer] as number) + (op.type === "invoke" ? 1 : -1);
      assert.ok((open[op.producer] as number) <= 2, "history shows more than maxInFlight outstanding");
    }
    assert.equal(loop.counters.inFlight, 0);
    assert.equal(loop.counters.acked, 1000);
  });

  test("run() resolves once everything is sent; settled() once everything is answered", async () => {
    const s = scenario({ duration: "100ms", warmup: "0ms" });
    const { driver, loop, now } = harness(s, 60);
    await loop.run();
    const sentAt = now();
    assert.equal(loop.counters.sent, 200);
    assert.ok(loop.counters.inFlight > 0, "run() waited for answers");
    await loop.settled();
    assert.ok(now() - sentAt >= 30_000);
    assert.equal(loop.counters.inFlight, 0);
    assert.ok(driver.batches.every((b) => b.outcome !== undefined));
  });

  test("stop() ends sending early and waits for the requests in flight", async () => {
    const s = scenario();
    const { driver, ops, loop } = harness(s, 20);
    const running = loop.run();
    await new Promise((r) => setTimeout(r, 150));
    await loop.stop();
    await running;
    const batchesAtStop = driver.batches.length;
    assert.ok(loop.counters.sent > 0 && loop.counters.sent < 1000, `sent ${loop.counters.sent}`);
    assert.equal(loop.counters.inFlight, 0);
    pairs(ops);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(driver.batches.length, batchesAtStop, "sent after stop()");
  });

  test("a client's split sends each part as its own request with its own outcome; the batch holds one slot", async () => {
    const s = scenario({ keys: 4, maxInFlight: 1, producers: 1 });
    const plan = planned(s);
    const start = performance.now();
    const now = () => Math.round((performance.now() - start) * 1000);
    // Parts by key, as a Kafka client splits by partition; key k1's part always fails.
    const driver: FakeDriver = new FakeDriver(
      now,
      2,
      (call): SendOutcome =>
        driver.batches[call]?.seqs.some((q: number) => plan[q]?.key === "k1")
          ? { type: "fail", error: "NOT_LEADER_OR_FOLLOWER" }
          : { type: "ok" },
    );
    const split = (_p: number, batch: readonly PlannedMessage[]) => {
      const by = new Map<string, PlannedMessage[]>();
      for (const m of batch) by.set(m.key as string, [...(by.get(m.key as string) ?? []), m]);
      return [...by.values()];
    };
    const ops: SendOp[] = [];
    const outcomes: Array<[number, number, string, readonly number[] | undefined]> = [];
    const loop = new LoadLoop(s, {
      client: { send: (p, b) => driver.send(p, b), split },
      now,
      record: (op) => ops.push(op),
      onOutcome: (_p, from, to, type, seqs) => outcomes.push([from, to, type, seqs]),
    });
    await loop.run();
    await loop.settled();

    const byReq = pairs(ops);
    assert.ok(byReq.size > driver.batches.length / 4, "several requests");
    let failed = 0;
    const covered: number[] = [];
    for (const { invoke, done } of byReq.values()) {
      const ids =
        invoke.seqs ?? Array.from({ length: invoke.to - invoke.from + 1 }, (_, i) => invoke.from + i);
      assert.equal(invoke.from, ids[0]);
      assert.equal(invoke.to, ids[ids.length - 1]);
      assert.deepEqual(done.seqs, invoke.seqs, "the completion lists the same ids");
      if (invoke.seqs)
        assert.notEqual(ids.length, invoke.to - invoke.from + 1, "seqs only when not contiguous");
      const keys = new Set(ids.map((q) => plan[q]?.key));
      assert.equal(keys.size, 1, "a part is one key's messages");
      assert.equal(done.type, keys.has("k1") ? "fail" : "ok");
      if (done.type === "fail") failed += ids.length;
      covered.push(...ids);
    }
    assert.deepEqual(
      covered.sort((a, b) => a - b),
      plan.map((m) => m.seq),
    );
    assert.equal(loop.counters.failed, failed);
    assert.equal(loop.counters.acked, plan.length - failed);
    assert.equal(outcomes.length, byReq.size);
    // One batch at a time: its parts run together, the next batch waits for all of them.
    assert.ok((driver.maxInFlight.get(0) ?? 0) > 1, "a batch's parts go out together");
    assert.ok((driver.maxInFlight.get(0) ?? 0) <= 4);
  });
  test("a client that prepares gets a backlogged producer's next batch built early and written before the answer is recorded", async () => {
    // 20,000/s over 2 producers against a 5 ms answer: each producer falls behind and queues.
    const s = scenario({ rate: "20000/s", warmup: "0ms", duration: "200ms", maxInFlight: 1 });
    const plan = planned(s);
    const start = performance.now();
    const now = () => Math.round((performance.now() - start) * 1000);
    const events: string[] = [];
    const batches: { producer: number; seqs: number[]; preparedWhileBusy: boolean }[] = [];
    const open = [0, 0];
    let maxOpen = 0;
    const client = {
      send: (): Promise<SendOutcome> =>
        Promise.reject(new Error("a preparing client is sent through prepare")),
      prepare: (producer: number, batch: readonly PlannedMessage[]) => {
        const b = {
          producer,
          seqs: batch.map((m) => m.seq),
          preparedWhileBusy: (open[producer] as number) > 0,
        };
        return {
          send: (done: (o: SendOutcome) => void) => {
            batches.push(b);
            events.push(`send ${producer}:${b.seqs[0]}`);
            open[producer] = (open[producer] as number) + 1;
            maxOpen = Math.max(maxOpen, open[producer] as number);
            setTimeout(() => {
              open[producer] = (open[producer] as number) - 1;
              done({ type: "ok" });
            }, 5);
          },
        };
      },
    };
    const ops: SendOp[] = [];
    const loop = new LoadLoop(s, {
      client,
      now,
      record: (op) => {
        ops.push(op);
        events.push(`${op.type} ${op.producer}:${op.from}`);
      },
    });
    await loop.run();
    await loop.settled();

    // The plan, once, in order, in batches of at most batchSize, one request at a time per producer.
    for (const p of [0, 1])
      assert.deepEqual(
        batches.filter((b) => b.producer === p).flatMap((b) => b.seqs),
        plan.filter((m) => m.producer === p).map((m) => m.seq),
      );
    assert.ok(batches.every((b) => b.seqs.length <= 10));
    assert.equal(maxOpen, 1);
    const staged = batches.filter((b) => b.preparedWhileBusy);
    assert.ok(staged.length > batches.length / 2, `${staged.length} of ${batches.length} built while busy`);
    assert.ok(
      staged.every((b) => b.seqs.length === 10),
      "only full batches are built ahead",
    );
    // A staged request leaves right after the answer before it, ahead of that answer's op and its own invoke.
    for (const b of staged) {
      const i = events.indexOf(`send ${b.producer}:${b.seqs[0]}`);
      assert.match(
        events[i + 1] ?? "",
        new RegExp(`^ok ${b.producer}:`),
        "the answer is recorded after the write",
      );
      assert.equal(events[i + 2], `invoke ${b.producer}:${b.seqs[0]}`);
    }
    // The history stays in time order and pairs up; the held batches are counted.
    for (let i = 1; i < ops.length; i++) assert.ok((ops[i] as SendOp).t >= (ops[i - 1] as SendOp).t);
    assert.equal(pairs(ops).size, batches.length);
    assert.equal(loop.counters.sent, plan.length);
    assert.equal(loop.counters.acked, plan.length);
    assert.ok(loop.counters.heldByInFlight > 0);
  });
});
