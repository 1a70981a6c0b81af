/**
 * This broker's replica of one partition, in the role the metadata image gives it.
 *
 * As leader it stamps its leader epoch on appends, tracks each follower's log end offset from the
 * offsets they fetch at, and moves the high watermark to the smallest LEO in the ISR — never
 * while the ISR is smaller than min.insync.replicas (KAFKA-15583). It proposes ISR changes to the
 * controller (AlterPartition) and, until one is committed, computes the HW over the union of the
 * old and proposed ISR (Kafka's "maximal ISR"), so a leader cut off from the controller can never
 * shrink the ISR on its own and acks=all writes cannot complete without the followers.
 *
 * As follower it only holds state; replication/fetcher.ts does the fetching and truncation.
 */

import type { PartitionState } from "../controller/metadata-image.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { PartitionLog } from "../storage/partition-log.ts";
import { LeaderEpochCache } from "./leader-epoch-cache.ts";

export interface FollowerState {
  /** Last fetch offset seen = the follower's LEO (−1 until it fetches from this leader). */
  leo: number;
  lastFetchMs: number;
  /** Leader LEO when the previous fetch was answered (Kafka's lastFetchLeaderLogEndOffset). */
  leaderLeoAtLastFetch: number;
  /** Last time the follower had everything the leader had (replica.lag.time.max.ms counts from it). */
  lastCaughtUpMs: number;
}

interface AckWaiter {
  lastOffset: number;
  resolve: (errorCode: number) => void;
}

export type Role = "leader" | "follower" | "none";

/** Newest appends a leader with followers keeps in memory, so their tail fetches skip the disk. */
const LEADER_TAIL_CACHE_BYTES = 4 << 20;

export class PartitionReplica {
  role: Role = "none";
  state: PartitionState;
  readonly followers = new Map<number, FollowerState>();
  /** An AlterPartition in flight: the ISR proposed. */
  pendingIsr: number[] | null = null;
  /** A follower must find its divergence point (OffsetsForLeaderEpoch) before fetching. */
  needsTruncation = false;
  readonly epochs: LeaderEpochCache;
  private readonly waiters = new Set<AckWaiter>();
  private lastWaitedOffset = -1;
  private waitersOutOfOrder = false;
  private readonly appendListeners = new Set<() => void>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    private readonly nodeId: number,
    private readonly minIsr: () => number,
    state: PartitionState,
  ) {
    this.state = state;
    this.epochs = new LeaderEpochCache(log.dir);
    // A crash may have left epochs whose batches never reached the disk.
    this.epochs.truncateFromEnd(log.logEndOffset + 1);
    log.onHighWatermark(() => this.checkWaiters());
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  /** The ISR the HW is computed over: committed plus proposed members. */
  get maximalIsr(): number[] {
    return this.pendingIsr ? [...new Set([...this.state.isr, ...this.pendingIsr])] : this.state.isr;
  }

  becomeLeader(state: PartitionState, now = Date.now()): void {
    this.state = state;
    this.role = "leader";
    this.pendingIsr = null;
    this.needsTruncation = false;
    this.log.setLeaderEpoch(state.leaderEpoch);
    this.log.cacheTail(state.replicas.length > 1 ? LEADER_TAIL_CACHE_BYTES : 0);
    this.epochs.assign(state.leaderEpoch, this.log.logEndOffset);
    this.followers.clear();
    for (const r of state.replicas) {
      if (r === this.nodeId) continue;
      this.followers.set(r, {
        leo: -1,
        lastFetchMs: 0,
        leaderLeoAtLastFetch: -1,
        lastCaughtUpMs: state.isr.includes(r) ? now : 0,
      });
    }
    this.maybeAdvanceHighWatermark();
  }

  becomeFollower(state: PartitionState): void {
    this.state = state;
    this.role = "follower";
    this.pendingIsr = null;
    this.needsTruncation = true;
    this.followers.clear();
    this.log.cacheTail(0);
    this.failWaiters(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }

  becomeNone(state: PartitionState): void {
    this.state = state;
    this.role = "none";
    this.log.cacheTail(0);
    this.failWaiters(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }

  /** A new ISR, partition epoch or replica set (a reassignment) for the same leadership. */
  update(state: PartitionState): void {
    if (this.pendingIsr && state.partitionEpoch !== this.state.partitionEpoch) this.pendingIsr = null;
    this.state = state;
    if (this.role !== "leader") return;
    // Replicas a reassignment adds are tracked from their first fetch, so they can join the ISR.
    for (const r of state.replicas)
      if (r !== this.nodeId && !this.followers.has(r))
        this.followers.set(r, { leo: -1, lastFetchMs: 0, leaderLeoAtLastFetch: -1, lastCaughtUpMs: 0 });
    for (const r of this.followers.keys()) if (!state.replicas.includes(r)) this.followers.delete(r);
    this.maybeAdvanceHighWatermark();
  }

  /** Leader: a follower fetched at `fetchOffset`; updates its LEO and catch-up time. */
  recordFollowerFetch(id: number, fetchOffset: number, now = Date.now()): void {
    const f = this.followers.get(id);
    if (!f) return;
    const leo = this.log.logEndOffset;
    if (fetchOffset >= leo) f.lastCaughtUpMs = now;
    else if (f.leaderLeoAtLastFetch >= 0 && fetchOffset >= f.leaderLeoAtLastFetch)
      f.lastCaughtUpMs = f.lastFetchMs;
    f.leo = fetchOffset;
    f.leaderLeoAtLastFetch = leo;
    f.lastFetchMs = now;
    this.maybeAdvanceHighWatermark();
  }

  /** Leader: HW = min LEO over the (maximal) ISR, held while the ISR is below min.insync.replicas. */
  maybeAdvanceHighWatermark(): void {
    if (this.role !== "leader") return;
    const isr = this.maximalIsr;
    if (this.state.isr.length < this.minIsr()) return;
    let hw = this.log.logEndOffset;
    for (const r of isr) {
      if (r === this.nodeId) continue;
      const f = this.followers.get(r);
      hw = Math.min(hw, f ? f.leo : -1);
    }
    if (hw > this.log.highWatermark) this.log.advanceHighWatermark(hw);
  }

  /** Leader: ISR members that have not caught up within `lagMs`. */
  laggingIsrMembers(lagMs: number, now = Date.now()): number[] {
    return this.state.isr.filter((r) => {
      if (r === this.nodeId) return false;
      const f = this.followers.get(r);
      return !f || now - f.lastCaughtUpMs > lagMs;
    });
  }

  /** Leader: a follower outside the ISR that may join it (KIP-101's isFollowerInSync). */
  canJoinIsr(id: number): boolean {
    if (this.state.isr.includes(id)) return false;
    const f = this.followers.get(id);
    if (!f || f.leo < 0) return false;
    const epochStart = this.epochs.all.at(-1)?.startOffset ?? 0;
    return f.leo >= this.log.highWatermark && f.leo >= epochStart;
  }

  /** acks=all: resolves with 0 once the HW passes `lastOffset`, or with an error code. */
  waitForHighWatermark(lastOffset: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve) => this.whenHighWatermark(lastOffset, timeoutMs, resolve));
  }

  /**
   * acks=all without a promise per partition: `done` gets 0 once the HW passes `lastOffset`, or an
   * error code; never synchronously, so a caller can count its partitions before any answers.
   */
  whenHighWatermark(lastOffset: number, timeoutMs: number, done: (errorCode: number) => void): void {
    if (this.log.highWatermark > lastOffset) {
      const code = this.afterAppendCode();
      queueMicrotask(() => done(code));
      return;
    }
    const w: AckWaiter = {
      lastOffset,
      resolve: (code) => {
        clearTimeout(timer);
        this.waiters.delete(w);
        done(code);
      },
    };
    const timer = setTimeout(() => w.resolve(ErrorCode.REQUEST_TIMED_OUT), Math.max(0, timeoutMs));
    if (this.waiters.size > 0 && lastOffset < this.lastWaitedOffset) this.waitersOutOfOrder = true;
    this.lastWaitedOffset = lastOffset;
    this.waiters.add(w);
  }

  private afterAppendCode(): number {
    return this.state.isr.length < this.minIsr() ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : 0;
  }

  private checkWaiters(): void {
    // Waiters are added right after their append, so the Set's order is offset order: stop at the
    // first one the HW has not passed instead of scanning every parked request on each HW move.
    // A retried idempotent batch waits on its older offsets and breaks that order: scan it all then.
    // (Resolving deletes the waiter; deleting the current entry is safe while iterating a Set.)
    for (const w of this.waiters) {
      if (this.log.highWatermark > w.lastOffset) w.resolve(this.afterAppendCode());
      else if (!this.waitersOutOfOrder) break;
    }
    if (this.waiters.size === 0) this.waitersOutOfOrder = false;
  }

  private failWaiters(code: number): void {
    for (const w of [...this.waiters]) w.resolve(code);
  }

  /** Parked follower fetches wait for appends (not for HW moves, like Kafka's fetch purgatory). */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  notifyAppend(): void {
    // A Set visits entries added during the loop and skips deleted ones; listeners only schedule
    // their wake-up, so no copy of the set is needed per append.
    for (const l of this.appendListeners) l();
  }

  close(): void {
    this.failWaiters(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  }
}
