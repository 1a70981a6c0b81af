/**
 * The channel contract both channels implement, after Flume's Transaction API:
 * `begin → put*|take* → commit | rollback`. Puts are invisible to takers until commit; takes remove
 * events from other takers' view at once and give them back (at the head, in order) on rollback.
 * Commit is async because a full channel makes it wait up to keep-alive for free slots, and the
 * file channel resolves it only once the commit record is on disk.
 *
 * Unlike Flume, `take()` never blocks: a sink first awaits `waitForEvents`, which the channel
 * resolves when a commit makes events visible, so an idle sink costs nothing and a busy one never
 * sleeps through a backoff just because the channel was briefly empty.
 */

import type { AgentEvent } from "./event.ts";

export interface Transaction {
  /** Stages an event; throws ChannelException when the transaction already holds transactionCapacity puts. */
  put(event: AgentEvent): void;
  /** Takes the head event, or undefined when the channel is empty; throws ChannelException when the take list is full. */
  take(): AgentEvent | undefined;
  /** Makes puts visible and takes final; throws ChannelFullException if no room appears within keep-alive. */
  commit(): Promise<void>;
  /** Drops the puts and returns the takes to the head of the queue. */
  rollback(): Promise<void>;
}

export interface ChannelCounters {
  EventPutAttemptCount: number;
  EventPutSuccessCount: number;
  EventTakeAttemptCount: number;
  EventTakeSuccessCount: number;
  StartTime: number;
  StopTime: number;
}

export interface Channel {
  readonly name: string;
  readonly capacity: number;
  readonly counters: ChannelCounters;
  begin(): Transaction;
  /** Events stored, committed and not yet taken (Flume's ChannelSize). */
  size(): number;
  /** Resolves true once the channel holds events, false after timeoutMs or on stop. */
  waitForEvents(timeoutMs: number): Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Flume's ChannelException: the channel refused the operation; the HTTP source answers 503. */
export class ChannelException extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChannelException";
  }
}

/** Flume's ChannelFullException: no room for a commit within keep-alive. */
export class ChannelFullException extends ChannelException {
  constructor(message: string) {
    super(message);
    this.name = "ChannelFullException";
  }
}

export function newChannelCounters(): ChannelCounters {
  return {
    EventPutAttemptCount: 0,
    EventPutSuccessCount: 0,
    EventTakeAttemptCount: 0,
    EventTakeSuccessCount: 0,
    StartTime: 0,
    StopTime: 0,
  };
}

/** A set of waiters woken together: used for "events arrived" and "room freed up". */
export class Waiters {
  private list: ((woken: boolean) => void)[] = [];

  /** Resolves true when notified, false after timeoutMs. */
  wait(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.list.indexOf(done);
        if (i >= 0) this.list.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = (woken: boolean) => {
        clearTimeout(timer);
        resolve(woken);
      };
      this.list.push(done);
    });
  }

  notify(woken = true): void {
    if (this.list.length === 0) return;
    const l = this.list;
    this.list = [];
    for (const f of l) f(woken);
  }
}

/**
 * Waits until `hasRoom()` holds or keepAliveMs passes (Flume's keep-alive on the queue semaphore).
 * Returns whether there is room.
 */
export async function waitForRoom(
  hasRoom: () => boolean,
  space: Waiters,
  keepAliveMs: number,
): Promise<boolean> {
  if (hasRoom()) return true;
  const deadline = Date.now() + keepAliveMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return hasRoom();
    await space.wait(left);
    if (hasRoom()) return true;
  }
}
