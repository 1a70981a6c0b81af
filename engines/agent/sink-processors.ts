/**
 * Flume's sink processors: how a sink group's one runner chooses which sink processes next.
 *
 * - default: the group's single sink.
 * - failover: the live sink with the highest priority processes; a sink that fails is parked until
 *   now + min(maxpenalty, 2^fails × 1000) ms, then tried again and restored if it does not fail or
 *   back off (FailoverSinkProcessor).
 * - load_balance: sinks are tried in selector order (round_robin rotates the start each call,
 *   random shuffles) until one does not fail; with backoff a failing sink is left out for
 *   min(maxTimeOut, 1000 × 2^fails) ms (LoadBalancingSinkProcessor + OrderSelector). Departure: a
 *   success resets a sink's failure count (Flume resets it only after a quiet period).
 *
 * Both fail the whole call with EventDeliveryException only when every sink failed. Because the
 * failed sink rolled its transaction back, the next sink takes the same events again.
 */

import type { ProcessorConfig } from "./config.ts";
import { EventDeliveryException, type Processable, type SinkStatus } from "./sink-status.ts";

export interface NamedSink extends Processable {
  readonly name: string;
}

export function createProcessor(
  config: ProcessorConfig,
  sinks: NamedSink[],
  log: (m: string) => void,
  random: () => number = Math.random,
): Processable {
  switch (config.type) {
    case "default": {
      const only = sinks[0];
      if (!only || sinks.length !== 1) throw new Error("default sink processor takes exactly one sink");
      return only;
    }
    case "failover":
      return new FailoverProcessor(sinks, config.priority, config.maxPenaltyMs, log);
    case "load_balance":
      return new LoadBalanceProcessor(
        sinks,
        config.selector,
        config.backoff,
        config.maxTimeOutMs,
        log,
        random,
      );
  }
}

interface Parked {
  sink: NamedSink;
  priority: number;
  fails: number;
  refreshAt: number;
}

export class FailoverProcessor implements Processable {
  /** Live sinks, highest priority first. */
  live: { sink: NamedSink; priority: number }[];
  failed: Parked[] = [];

  constructor(
    sinks: NamedSink[],
    priority: Record<string, number>,
    private readonly maxPenaltyMs: number,
    private readonly log: (m: string) => void,
  ) {
    this.live = sinks
      .map((sink) => ({ sink, priority: priority[sink.name] ?? 0 }))
      .sort((a, b) => b.priority - a.priority);
  }

  async process(): Promise<SinkStatus> {
    const now = Date.now();
    for (const p of [...this.failed].sort((a, b) => a.refreshAt - b.refreshAt)) {
      if (p.refreshAt > now) break;
      try {
        const status = await p.sink.process();
        if (status === "READY") {
          this.failed.splice(this.failed.indexOf(p), 1);
          this.live.push({ sink: p.sink, priority: p.priority });
          this.live.sort((a, b) => b.priority - a.priority);
          this.log(`failover: sink ${p.sink.name} is back`);
        } else {
          p.refreshAt = now;
        }
        return status;
      } catch (e) {
        this.park(p, now, e);
      }
    }
    while (this.live.length > 0) {
      const active = this.live[0] as { sink: NamedSink; priority: number };
      try {
        return await active.sink.process();
      } catch (e) {
        this.live.shift();
        const p: Parked = { sink: active.sink, priority: active.priority, fails: 0, refreshAt: 0 };
        this.failed.push(p);
        this.park(p, Date.now(), e);
      }
    }
    throw new EventDeliveryException("All sinks failed to process, nothing left to failover to");
  }

  private park(p: Parked, now: number, e: unknown): void {
    p.fails++;
    const penalty = Math.min(this.maxPenaltyMs, 2 ** p.fails * 1000);
    p.refreshAt = now + penalty;
    this.log(`failover: sink ${p.sink.name} failed (${(e as Error).message}); parked for ${penalty} ms`);
  }
}

export class LoadBalanceProcessor implements Processable {
  private next = 0;
  private readonly fails = new Map<NamedSink, { count: number; restoreAt: number }>();

  constructor(
    private readonly sinks: NamedSink[],
    private readonly selector: "round_robin" | "random",
    private readonly backoff: boolean,
    private readonly maxTimeOutMs: number,
    private readonly log: (m: string) => void,
    private readonly random: () => number,
  ) {}

  /** The order to try sinks in this call, leaving out backed-off ones. */
  order(now = Date.now()): NamedSink[] {
    let list: NamedSink[];
    if (this.selector === "round_robin") {
      const n = this.sinks.length;
      list = [];
      for (let i = 0; i < n; i++) list.push(this.sinks[(this.next + i) % n] as NamedSink);
      this.next = (this.next + 1) % n;
    } else {
      list = [...this.sinks];
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [list[i], list[j]] = [list[j] as NamedSink, list[i] as NamedSink];
      }
    }
    return this.backoff ? list.filter((s) => (this.fails.get(s)?.restoreAt ?? 0) <= now) : list;
  }

  async process(): Promise<SinkStatus> {
    for (const sink of this.order()) {
      try {
        const status = await sink.process();
        this.fails.delete(sink);
        return status;
      } catch (e) {
        if (this.backoff) {
          const f = this.fails.get(sink) ?? { count: 0, restoreAt: 0 };
          f.count++;
          const wait = Math.min(this.maxTimeOutMs, 1000 * 2 ** f.count);
          f.restoreAt = Date.now() + wait;
          this.fails.set(sink, f);
          this.log(
            `load_balance: sink ${sink.name} failed (${(e as Error).message}); left out for ${wait} ms`,
          );
        } else {
          this.log(`load_balance: sink ${sink.name} failed (${(e as Error).message}); trying the next`);
        }
      }
    }
    throw new EventDeliveryException("Unable to load balance event delivery, all sinks failed");
  }
}
