/**
 * The open-loop load: every millisecond, the messages whose intended send time has come are
 * queued on their producer, and each producer sends a batch when it is full or its oldest message
 * has waited `linger`. Sends never wait for earlier answers (up to `maxInFlight` per producer), so
 * a slow engine shows up as latency measured from the intended time, not as a lower offered rate.
 * When an answer frees a producer's in-flight slot, that producer sends its next ready batch at
 * once rather than at the next tick: a backlogged producer keeps its connection busy the way a
 * closed-loop tool does, and the timer's granularity (1 ms at best, far more on a loaded machine)
 * does not cap the rate. The timer is armed for the next moment a tick could send something — the
 * earliest time a producer with a free slot fills a batch or reaches its linger deadline, found by
 * looking ahead in the (deterministic) schedule — not every millisecond: a wake-up costs tens of µs
 * of CPU, and at a thousand a second that was a sixth of a core spent waiting.
 * A client that splits a batch (a Kafka client, by the partition each keyed message goes to) gets
 * one request per part, each recorded with its own outcome; the batch holds one in-flight slot
 * until every part has answered.
 * A client that can `prepare` a request (the HTTP producers) gets a backlogged producer's next full
 * batch built while its slot is still taken: when the answer comes, that request is written first
 * and the answer's bookkeeping (its history op, counters, admitting what is due, building the
 * following request) comes after the write. The batch is the one the answer would have sent
 * anyway (the first `batchSize` queued messages), so batching, order and the history are as
 * without it; only the round trip loses the time our bookkeeping took.
 */

import { type PlannedMessage, Schedule } from "../generator/schedule.ts";
import { type Slice, SlicedSchedule } from "../generator/slice.ts";
import type { SendOp } from "../history/op.ts";
import type { Scenario } from "../scenario/load.ts";
import type { Client, PreparedSend, SendOutcome } from "../targets/target.ts";
import { MessageQueue } from "./message-queue.ts";

export interface LoadCounters {
  offered: number;
  sent: number;
  acked: number;
  failed: number;
  indeterminate: number;
  inFlight: number;
  /** Times a ready batch had to wait because its producer was at maxInFlight. */
  heldByInFlight: number;
  /** Ticks that came more than 20 ms after the time they were armed for (the event loop was busy). */
  lateTicks: number;
}

export interface LoadLoopDeps {
  client: Pick<Client, "send" | "split" | "prepare">;
  /** Send only this slice of the schedule (a load worker); the whole plan when omitted. */
  slice?: Slice;
  now: () => number;
  record: (op: SendOp) => void;
  /** Called with each completed batch, for live drain tracking. */
  onOutcome?: (
    producer: number,
    from: number,
    to: number,
    type: SendOp["type"],
    seqs?: readonly number[],
  ) => void;
}

export class LoadLoop {
  readonly counters: LoadCounters = {
    offered: 0,
    sent: 0,
    acked: 0,
    failed: 0,
    indeterminate: 0,
    inFlight: 0,
    heldByInFlight: 0,
    lateTicks: 0,
  };
  /** When the armed timer is meant to fire (µs), or undefined when none is armed. */
  private wakeUs: number | undefined;
  /** Messages taken from the schedule ahead of their time to find the next wake-up; not yet due. */
  private readonly future: PlannedMessage[] = [];
  private futureHead = 0;
  private readonly schedule: Pick<Schedule, "peekUs" | "next">;
  /** Per producer, the messages whose time has come and that are not sent yet. */
  private readonly pending: MessageQueue[];
  private readonly inFlight: number[];
  /** Scratch for `rearm`: messages each producer would have queued. */
  private readonly counts: Int32Array;
  private req = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private done!: () => void;
  private readonly finished = new Promise<void>((r) => {
    this.done = r;
  });
  /** Batches sent and not yet fully answered. */
  private outstanding = 0;
  private onSettled: (() => void) | undefined;
  /** `producer-<p>`, made once per producer rather than once per request. */
  private readonly processNames: string[];
  /** Per producer, its next full batch with its request already built (`Client.prepare`). */
  private readonly staged: (Staged | undefined)[];
  /** The client's `prepare`, when it has one and does not split batches. */
  private readonly prepare:
    | ((producer: number, batch: readonly PlannedMessage[]) => PreparedSend)
    | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly deps: LoadLoopDeps,
  ) {
    const w = scenario.workload;
    this.schedule = deps.slice
      ? new SlicedSchedule(w, scenario.seed, deps.slice)
      : new Schedule(w, scenario.seed);
    this.pending = Array.from({ length: w.producers }, (_, p) => new MessageQueue(p, w.producers));
    this.inFlight = Array.from({ length: w.producers }, () => 0);
    this.counts = new Int32Array(w.producers);
    this.processNames = Array.from({ length: w.producers }, (_, p) => `producer-${p}`);
    this.staged = Array.from({ length: w.producers }, () => undefined);
    const c = deps.client;
    this.prepare =
      c.prepare && !c.split ? (p, b) => (c.prepare as NonNullable<Client["prepare"]>)(p, b) : undefined;
  }

  /** Runs until the schedule is exhausted and every queued message was sent (or `stop`). */
  run(): Promise<void> {
    this.tick();
    return this.finished;
  }

  /** Stops sending; resolves when outstanding requests have answered. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.done();
    await this.settled();
  }

  /** Resolves when no request is outstanding. */
  async settled(): Promise<void> {
    while (this.outstanding > 0) {
      await new Promise<void>((resolve) => {
        const prev = this.onSettled;
        this.onSettled = () => {
          this.onSettled = undefined;
          prev?.();
          resolve();
        };
      });
    }
  }

  private tick = (): void => {
    if (this.stopped) return;
    const now = this.deps.now();
    if (this.wakeUs !== undefined && now - this.wakeUs > 20_000) this.counters.lateTicks++;
    this.timer = undefined;
    this.wakeUs = undefined;
    this.admit(now);
    const exhausted = this.exhausted();
    for (let p = 0; p < this.pending.length; p++) this.flush(p, now, exhausted);
    this.rearm(now);
  };

  /** No message is left to plan: the schedule is done and the look-ahead drained. */
  private exhausted(): boolean {
    return this.futureHead === this.future.length && this.schedule.peekUs() === Number.POSITIVE_INFINITY;
  }

  /** Queues every message whose intended time has come on its producer. */
  private admit(now: number): void {
    const f = this.future;
    while (this.futureHead < f.length && (f[this.futureHead] as PlannedMessage).intendedUs <= now) {
      const m = f[this.futureHead++] as PlannedMessage;
      this.pending[m.producer]?.push(m);
      this.counters.offered++;
    }
    if (this.futureHead < f.length) return;
    f.length = 0;
    this.futureHead = 0;
    while (this.schedule.peekUs() <= now) {
      const m = this.schedule.next() as PlannedMessage;
      this.pending[m.producer]?.push(m);
      this.counters.offered++;
    }
  }

  /**
   * Ends the run when everything was sent; otherwise arms the timer for the earliest moment a tick
   * could send: a producer with a free slot reaching `batchSize` queued messages, or its oldest
   * message reaching `linger`. Producers at maxInFlight are left to `refill`. Waking early is
   * harmless (one idle tick); the look-ahead makes sure it is never late.
   */
  private rearm(now: number): void {
    if (this.stopped) return;
    const w = this.scenario.workload;
    if (this.exhausted()) {
      if (this.pending.every((_, p) => this.queued(p) === 0 && this.staged[p] === undefined)) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.done();
      }
      // Whatever is queued waits for a slot; `refill` sends it and ends the run.
      return;
    }
    const lingerUs = w.linger * 1000;
    let wake = Number.POSITIVE_INFINITY;
    const counts = this.counts;
    const inFlight = this.inFlight;
    let anyOpen = false;
    for (let p = 0; p < this.pending.length; p++) {
      const n = this.queued(p);
      counts[p] = n;
      if ((inFlight[p] as number) < w.maxInFlight) {
        anyOpen = true;
        if (n > 0) {
          wake = Math.min(wake, (this.pending[p] as MessageQueue).headIntendedUs() + lingerUs);
        }
      }
    }
    if (!anyOpen) return; // every producer is at its limit: refills go on
    // Walk the coming messages in time order until one fills an open producer's batch, starts a
    // linger deadline, or passes the earliest deadline found so far. The walk is bounded (a
    // producer of another worker's slice never gets a message): past the bound, wake there.
    const f = this.future;
    const horizonUs = now + 100_000;
    const limit = this.futureHead + 4 * w.producers * w.batchSize + 64;
    for (let i = this.futureHead; ; i++) {
      if (i === f.length) {
        if (this.schedule.peekUs() === Number.POSITIVE_INFINITY) {
          // The end of the plan: its last messages go at once.
          wake = Math.min(wake, (f[i - 1] as PlannedMessage | undefined)?.intendedUs ?? now);
          break;
        }
        f.push(this.schedule.next() as PlannedMessage);
      }
      const m = f[i] as PlannedMessage;
      if (m.intendedUs >= wake) break;
      if (i >= limit || m.intendedUs > horizonUs) {
        wake = m.intendedUs;
        break;
      }
      if ((inFlight[m.producer] as number) >= w.maxInFlight) continue;
      const n = (counts[m.producer] as number) + 1;
      counts[m.producer] = n;
      if (n === 1) wake = Math.min(wake, m.intendedUs + lingerUs);
      if (n >= w.batchSize) {
        wake = Math.min(wake, m.intendedUs);
        break;
      }
    }
    if (wake === Number.POSITIVE_INFINITY) return; // every producer is at its limit: refills go on
    if (this.timer && this.wakeUs !== undefined && this.wakeUs <= wake) return;
    if (this.timer) clearTimeout(this.timer);
    this.wakeUs = wake;
    this.timer = setTimeout(this.tick, Math.max(1, Math.ceil((wake - now) / 1000)));
  }

  private queued(p: number): number {
    return (this.pending[p] as MessageQueue).length;
  }

  /** A full batch is queued, or the oldest queued message has waited `linger`. */
  private ready(p: number, now: number): boolean {
    const w = this.scenario.workload;
    const q = this.pending[p] as MessageQueue;
    return q.length >= w.batchSize || now - q.headIntendedUs() >= w.linger * 1000;
  }

  /** Sends producer p's ready batches while it has in-flight slots; stages the next when it has none. */
  private flush(p: number, now: number, exhausted: boolean): void {
    const w = this.scenario.workload;
    const staged = this.staged[p];
    if (staged !== undefined && (this.inFlight[p] as number) < w.maxInFlight) {
      this.staged[p] = undefined;
      this.deps.record(this.launch(p, staged.batch, staged.prepared));
    }
    while (this.queued(p) > 0 && (this.inFlight[p] as number) < w.maxInFlight) {
      if (!exhausted && !this.ready(p, now)) break;
      const batch = this.take(p);
      if (this.prepare) this.deps.record(this.launch(p, batch, this.prepare(p, batch)));
      else this.sendBatch(p, batch);
    }
    if ((this.inFlight[p] as number) < w.maxInFlight) return;
    // A full batch waiting for a slot: build its request now, while the connection is busy.
    if (this.prepare && this.staged[p] === undefined && this.queued(p) >= w.batchSize) {
      const batch = this.take(p);
      this.staged[p] = { batch, prepared: this.prepare(p, batch) };
    }
    if (this.staged[p] !== undefined || (this.queued(p) > 0 && this.ready(p, now)))
      this.counters.heldByInFlight++;
  }

  /** Takes producer p's next batch (up to `batchSize` of its oldest queued messages) off its queue. */
  private take(p: number): PlannedMessage[] {
    return (this.pending[p] as MessageQueue).take(this.scenario.workload.batchSize);
  }

  /**
   * Sends a prepared batch (one request, contiguous ids) and returns its invoke op, for the caller
   * to record once the bytes are out.
   */
  private launch(producer: number, batch: readonly PlannedMessage[], prepared: PreparedSend): SendOp {
    this.counters.sent += batch.length;
    this.counters.inFlight++;
    this.inFlight[producer] = (this.inFlight[producer] as number) + 1;
    this.outstanding++;
    const invoke = this.invokeOf(producer, batch);
    const { req, process, from, to, seqs } = invoke;
    const n = batch.length;
    prepared.send((outcome) => this.answered(producer, req, process, from, to, n, seqs, outcome));
    return invoke;
  }

  /** A request's invoke op, with the next request id; `seqs` only when the batch has gaps. */
  private invokeOf(producer: number, batch: readonly PlannedMessage[]): SendOp {
    const first = batch[0] as PlannedMessage;
    const last = batch[batch.length - 1] as PlannedMessage;
    const invoke: SendOp = {
      t: this.deps.now(),
      type: "invoke",
      process: this.processNames[producer] as string,
      f: "send",
      req: this.req++,
      producer,
      from: first.seq,
      to: last.seq,
    };
    if (last.seq - first.seq + 1 !== batch.length) invoke.seqs = batch.map((m) => m.seq);
    return invoke;
  }

  /**
   * A prepared request's answer: its slot is freed and the producer's staged request (if any) is
   * written before anything else, then the answer is recorded (stamped with the time it came) and
   * the next request is staged.
   */
  private answered(
    producer: number,
    req: number,
    process: string,
    from: number,
    to: number,
    n: number,
    seqs: number[] | undefined,
    outcome: SendOutcome,
  ): void {
    const t = this.deps.now();
    this.counters.inFlight--;
    this.inFlight[producer] = (this.inFlight[producer] as number) - 1;
    this.outstanding--;
    const staged = this.stopped ? undefined : this.staged[producer];
    let next: SendOp | undefined;
    if (staged !== undefined) {
      this.staged[producer] = undefined;
      next = this.launch(producer, staged.batch, staged.prepared);
    }
    try {
      this.complete(producer, req, process, from, to, n, seqs, outcome, t);
    } finally {
      if (next) this.deps.record(next);
      this.refill(producer);
      if (this.outstanding === 0) this.onSettled?.();
    }
  }

  /** An answer freed one of p's slots: queue what is due and send p's next ready batch now. */
  private refill(p: number): void {
    if (this.stopped) return;
    const now = this.deps.now();
    this.admit(now);
    this.flush(p, now, this.exhausted());
    this.rearm(now);
  }

  private sendBatch(producer: number, batch: PlannedMessage[]): void {
    const parts = this.deps.client.split?.(producer, batch);
    this.counters.sent += batch.length;
    this.counters.inFlight++;
    this.inFlight[producer] = (this.inFlight[producer] as number) + 1;
    this.outstanding++;
    // One request per non-empty part; the batch's slot is freed when the last part has answered.
    // No promise combinators per batch: at tens of thousands of requests a second they cost more
    // than the bookkeeping they replace.
    let left = 0;
    const answered = () => {
      if (--left > 0) return;
      this.counters.inFlight--;
      this.inFlight[producer] = (this.inFlight[producer] as number) - 1;
      this.outstanding--;
      this.refill(producer);
      if (this.outstanding === 0) this.onSettled?.();
    };
    if (!parts) {
      left = 1;
      this.sendPart(producer, batch, answered);
      return;
    }
    for (const part of parts) if (part.length > 0) left++;
    if (left === 0) {
      left = 1;
      answered();
      return;
    }
    for (const part of parts) if (part.length > 0) this.sendPart(producer, part, answered);
  }

  /** One request: its invoke, the client's answer, its completion; then `done`. */
  private sendPart(producer: number, part: readonly PlannedMessage[], done: () => void): void {
    const invoke = this.invokeOf(producer, part);
    const { req, process, from, to, seqs } = invoke;
    this.deps.record(invoke);
    const n = part.length;
    const complete = (outcome: SendOutcome) => {
      try {
        this.complete(producer, req, process, from, to, n, seqs, outcome);
      } finally {
        done();
      }
    };
    this.deps.client
      .send(producer, part)
      .then(complete, (e: unknown) => complete({ type: "info", error: String(e) }));
  }

  private complete(
    producer: number,
    req: number,
    process: string,
    from: number,
    to: number,
    n: number,
    seqs: number[] | undefined,
    outcome: SendOutcome,
    t = this.deps.now(),
  ): void {
    const op: SendOp = {
      t,
      type: outcome.type,
      process,
      f: "send",
      req,
      producer,
      from,
      to,
    };
    if (seqs) op.seqs = seqs;
    if (outcome.type !== "ok") op.error = outcome.error;
    this.deps.record(op);
    if (outcome.type === "ok") this.counters.acked += n;
    else if (outcome.type === "fail") this.counters.failed += n;
    else this.counters.indeterminate += n;
    this.deps.onOutcome?.(producer, from, to, outcome.type, seqs);
  }
}

/** A producer's next full batch, its request built while the producer's slot was taken. */
interface Staged {
  batch: PlannedMessage[];
  prepared: PreparedSend;
}
