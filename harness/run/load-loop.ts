/**
 * The open-loop load: every millisecond, the messages whose intended send time has come are
 * queued on their producer, and each producer sends a batch when it is full or its oldest message
 * has waited `linger`. Sends never wait for earlier answers (up to `maxInFlight` per producer), so
 * a slow engine shows up as latency measured from the intended time, not as a lower offered rate.
 * When an answer frees a producer's in-flight slot, that producer sends its next ready batch at
 * once rather than at the next tick: a backlogged producer keeps its connection busy the way a
 * closed-loop tool does, and the timer's granularity (1 ms at best, far more on a loaded machine)
 * does not cap the rate.
 * A client that splits a batch (a Kafka client, by the partition each keyed message goes to) gets
 * one request per part, each recorded with its own outcome; the batch holds one in-flight slot
 * until every part has answered.
 */

import { type PlannedMessage, Schedule } from "../generator/schedule.ts";
import { type Slice, SlicedSchedule } from "../generator/slice.ts";
import type { SendOp } from "../history/op.ts";
import type { Scenario } from "../scenario/load.ts";
import type { Client } from "../targets/target.ts";

export interface LoadCounters {
  offered: number;
  sent: number;
  acked: number;
  failed: number;
  indeterminate: number;
  inFlight: number;
  /** Producer-ticks in which a ready batch waited because its producer was at maxInFlight. */
  heldByInFlight: number;
  /** Ticks that came more than 20 ms after the previous one (the event loop was busy). */
  lateTicks: number;
}

export interface LoadLoopDeps {
  client: Pick<Client, "send" | "split">;
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
  private lastTickUs: number | undefined;
  private readonly schedule: Pick<Schedule, "peekUs" | "next">;
  /** Per producer, the queued messages from `pendingHead[p]` on (a head index, not shift/splice). */
  private readonly pending: PlannedMessage[][];
  private readonly pendingHead: number[];
  private readonly inFlight: number[];
  private req = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private done!: () => void;
  private readonly finished = new Promise<void>((r) => {
    this.done = r;
  });
  private readonly outstanding = new Set<Promise<void>>();

  constructor(
    private readonly scenario: Scenario,
    private readonly deps: LoadLoopDeps,
  ) {
    const w = scenario.workload;
    this.schedule = deps.slice
      ? new SlicedSchedule(w, scenario.seed, deps.slice)
      : new Schedule(w, scenario.seed);
    this.pending = Array.from({ length: w.producers }, () => []);
    this.pendingHead = Array.from({ length: w.producers }, () => 0);
    this.inFlight = Array.from({ length: w.producers }, () => 0);
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
    while (this.outstanding.size > 0) await Promise.allSettled([...this.outstanding]);
  }

  private tick = (): void => {
    if (this.stopped) return;
    const now = this.deps.now();
    if (this.lastTickUs !== undefined && now - this.lastTickUs > 20_000) this.counters.lateTicks++;
    this.lastTickUs = now;
    this.admit(now);
    const exhausted = this.schedule.peekUs() === Number.POSITIVE_INFINITY;
    let empty = true;
    for (let p = 0; p < this.pending.length; p++) {
      this.flush(p, now, exhausted);
      const queued = this.queued(p);
      if (queued > 0) {
        empty = false;
        if ((this.inFlight[p] as number) >= this.scenario.workload.maxInFlight && this.ready(p, now))
          this.counters.heldByInFlight++;
      }
    }
    if (exhausted && empty) {
      this.done();
      return;
    }
    this.timer = setTimeout(this.tick, 1);
  };

  /** Queues every message whose intended time has come on its producer. */
  private admit(now: number): void {
    while (this.schedule.peekUs() <= now) {
      const m = this.schedule.next() as PlannedMessage;
      this.pending[m.producer]?.push(m);
      this.counters.offered++;
    }
  }

  private queued(p: number): number {
    return (this.pending[p] as PlannedMessage[]).length - (this.pendingHead[p] as number);
  }

  /** A full batch is queued, or the oldest queued message has waited `linger`. */
  private ready(p: number, now: number): boolean {
    const w = this.scenario.workload;
    const q = this.pending[p] as PlannedMessage[];
    const head = this.pendingHead[p] as number;
    return q.length - head >= w.batchSize || now - (q[head] as PlannedMessage).intendedUs >= w.linger * 1000;
  }

  /** Sends producer p's ready batches while it has in-flight slots. */
  private flush(p: number, now: number, exhausted: boolean): void {
    const w = this.scenario.workload;
    while (this.queued(p) > 0 && (this.inFlight[p] as number) < w.maxInFlight) {
      if (!exhausted && !this.ready(p, now)) break;
      const q = this.pending[p] as PlannedMessage[];
      const head = this.pendingHead[p] as number;
      const end = Math.min(q.length, head + w.batchSize);
      const batch = q.slice(head, end);
      if (end === q.length) {
        q.length = 0;
        this.pendingHead[p] = 0;
      } else if (end > 4096 && end * 2 > q.length) {
        // Drop the sent prefix once it is most of the array, so a long backlog costs O(1) per batch.
        q.splice(0, end);
        this.pendingHead[p] = 0;
      } else this.pendingHead[p] = end;
      this.sendBatch(p, batch);
    }
  }

  /** An answer freed one of p's slots: queue what is due and send p's next ready batch now. */
  private refill(p: number): void {
    if (this.stopped) return;
    const now = this.deps.now();
    this.admit(now);
    this.flush(p, now, this.schedule.peekUs() === Number.POSITIVE_INFINITY);
  }

  private sendBatch(producer: number, batch: PlannedMessage[]): void {
    const parts = this.deps.client.split?.(producer, batch) ?? [batch];
    this.counters.sent += batch.length;
    this.counters.inFlight++;
    this.inFlight[producer] = (this.inFlight[producer] as number) + 1;
    const pr = Promise.all(
      parts.filter((part) => part.length > 0).map((part) => this.sendPart(producer, part)),
    )
      .then(() => {
        this.counters.inFlight--;
        this.inFlight[producer] = (this.inFlight[producer] as number) - 1;
        this.refill(producer);
      })
      .finally(() => this.outstanding.delete(pr));
    this.outstanding.add(pr);
  }

  /** One request: its invoke, the client's answer, its completion. */
  private sendPart(producer: number, part: readonly PlannedMessage[]): Promise<void> {
    const first = part[0] as PlannedMessage;
    const last = part[part.length - 1] as PlannedMessage;
    const contiguous = last.seq - first.seq + 1 === part.length;
    const req = this.req++;
    const base: Omit<SendOp, "t" | "type"> = {
      process: `producer-${producer}`,
      f: "send" as const,
      req,
      producer,
      from: first.seq,
      to: last.seq,
    };
    if (!contiguous) base.seqs = part.map((m) => m.seq);
    this.deps.record({ t: this.deps.now(), type: "invoke", ...base });
    const n = part.length;
    return this.deps.client
      .send(producer, part)
      .catch((e: unknown) => ({ type: "info" as const, error: String(e) }))
      .then((outcome) => {
        const op: SendOp = { t: this.deps.now(), type: outcome.type, ...base };
        if (outcome.type !== "ok") op.error = outcome.error;
        this.deps.record(op);
        if (outcome.type === "ok") this.counters.acked += n;
        else if (outcome.type === "fail") this.counters.failed += n;
        else this.counters.indeterminate += n;
        this.deps.onOutcome?.(producer, first.seq, last.seq, outcome.type, base.seqs);
      });
  }
}
