/**
 * Flume's MemoryChannel: a bounded in-memory queue with transactions. Capacity counts stored events
 * plus events taken by transactions that have not committed yet (their slots are freed only by the
 * take's commit, as Flume's queueRemaining semaphore is), so a rollback always has room to put
 * them back. Everything in it is lost when the process dies, exactly as in Flume.
 */

import {
  type Channel,
  type ChannelCounters,
  ChannelException,
  ChannelFullException,
  newChannelCounters,
  type Transaction,
  Waiters,
  waitForRoom,
} from "./channel.ts";
import type { MemoryChannelConfig } from "./config.ts";
import { Deque } from "./deque.ts";
import type { AgentEvent } from "./event.ts";

export class MemoryChannel implements Channel {
  readonly name: string;
  readonly capacity: number;
  readonly counters: ChannelCounters = newChannelCounters();
  readonly queue = new Deque<AgentEvent>();
  /** Events taken by open transactions; they still occupy capacity. */
  inflightTakes = 0;
  readonly data = new Waiters();
  readonly space = new Waiters();
  private stopped = false;

  constructor(readonly config: MemoryChannelConfig) {
    this.name = config.name;
    this.capacity = config.capacity;
  }

  begin(): Transaction {
    return new MemoryTransaction(this);
  }

  size(): number {
    return this.queue.length;
  }

  waitForEvents(timeoutMs: number): Promise<boolean> {
    if (this.queue.length > 0) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return this.data.wait(timeoutMs).then(() => this.queue.length > 0);
  }

  async start(): Promise<void> {
    this.counters.StartTime = Date.now();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.counters.StopTime = Date.now();
    this.data.notify(false);
  }
}

class MemoryTransaction implements Transaction {
  private puts: AgentEvent[] = [];
  private takes: AgentEvent[] = [];
  private closed = false;

  constructor(private readonly ch: MemoryChannel) {}

  put(event: AgentEvent): void {
    this.open();
    this.ch.counters.EventPutAttemptCount++;
    if (this.puts.length >= this.ch.config.transactionCapacity) {
      throw new ChannelException(
        `put queue for MemoryTransaction of capacity ${this.ch.config.transactionCapacity} full, consider committing more frequently, increasing capacity or increasing thread count`,
      );
    }
    this.puts.push(event);
  }

  take(): AgentEvent | undefined {
    this.open();
    this.ch.counters.EventTakeAttemptCount++;
    if (this.takes.length >= this.ch.config.transactionCapacity) {
      throw new ChannelException(
        `take list for MemoryTransaction, capacity ${this.ch.config.transactionCapacity} full, consider committing more frequently, increasing capacity, or increasing thread count`,
      );
    }
    const e = this.ch.queue.shift();
    if (e === undefined) return undefined;
    this.ch.inflightTakes++;
    this.takes.push(e);
    return e;
  }

  async commit(): Promise<void> {
    this.open();
    const ch = this.ch;
    const need = this.puts.length - this.takes.length;
    if (need > 0) {
      const room = () => ch.queue.length + ch.inflightTakes + need <= ch.capacity;
      // The room test and the enqueue below must run in one synchronous stretch: several commits
      // can be woken by the same freed space, and each must see what the others took.
      const deadline = Date.now() + ch.config.keepAliveMs;
      while (!room()) {
        const left = deadline - Date.now();
        if (left <= 0 || !(await waitForRoom(room, ch.space, left))) {
          this.open();
          throw new ChannelFullException(
            `Space for commit to queue couldn't be acquired. Sinks are likely not keeping up with sources, or the buffer size is too tight (channel ${ch.name}, capacity ${ch.capacity})`,
          );
        }
        this.open();
      }
    }
    this.closed = true;
    for (const e of this.puts) ch.queue.push(e);
    ch.inflightTakes -= this.takes.length;
    ch.counters.EventPutSuccessCount += this.puts.length;
    ch.counters.EventTakeSuccessCount += this.takes.length;
    if (this.puts.length > 0) ch.data.notify();
    if (this.takes.length > 0) ch.space.notify();
  }

  async rollback(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ch = this.ch;
    if (this.takes.length > 0) {
      ch.queue.unshiftAll(this.takes);
      ch.inflightTakes -= this.takes.length;
      ch.data.notify();
    }
  }

  private open(): void {
    if (this.closed) throw new ChannelException("transaction is already committed or rolled back");
  }
}
