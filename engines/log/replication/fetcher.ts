/**
 * A follower's replication loop for every partition it follows from one leader broker, over one
 * Kafka-protocol connection (Fetch v11 with replica_id = this broker; OffsetsForLeaderEpoch v3).
 *
 * Before fetching a partition after any leadership change, the follower asks the leader where its
 * own latest epoch ends and truncates there (KIP-101); when the leader answers an older epoch, the
 * follower cuts at the smaller of the leader's end offset and its own end of that epoch (KIP-279),
 * so fast successive failovers cannot leave diverging logs. Fetched batches are appended verbatim
 * (offsets and epochs are the leader's) and the follower takes the leader's HW, capped at its LEO.
 * A fetch below the leader's log start offset (its retention deleted what this replica never
 * fetched) answers OFFSET_OUT_OF_RANGE with that start offset: the follower empties its log and
 * restarts it there (the leader always fills the field; without it, epoch truncation is tried).
 * Every request has a deadline, so a blackholed leader costs a timeout, never a hang; responses
 * for a partition whose leadership changed meanwhile are discarded.
 */

import type { FetchResponse } from "../protocol/apis/fetch.ts";
import type { OffsetsForLeaderEpochResponse } from "../protocol/apis/offsets-for-leader-epoch.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { ApiKey } from "../protocol/registry.ts";
import { RawClient } from "../tools/raw-client.ts";
import type { PartitionReplica } from "./partition-replica.ts";
import type { ReplicaManager } from "./replica-manager.ts";

const _sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      onTimeout();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export class Fetcher {
  private stopped = false;
  private client: RawClient | undefined;
  private wakeUp: (() => void) | undefined;
  /** The leader epoch each partition was last fetched at: a new one is logged (failover timelines). */
  private readonly fetchedAt = new WeakMap<PartitionReplica, number>();
  /** The partitions (and their leader epochs) in the Fetch now waiting at the leader. */
  private inFlight: Map<PartitionReplica, number> | undefined;
  /** wake() dropped the connection to cut that wait short: fetch again at once. */
  private cutShort = false;

  constructor(
    private readonly rm: ReplicaManager,
    readonly leaderId: number,
  ) {}

  start(): void {
    void this.run();
  }

  /**
   * The set of partitions changed: stop waiting between rounds. A partition that now follows this
   * leader (or follows it at a new epoch) is not in the Fetch that may be parked at the leader for
   * up to replica.fetch.wait.max.ms; a broker answers one request per connection at a time, so
   * the only way to fetch it sooner is a new connection. Dropping this one costs a reconnect on
   * loopback; waiting would cost a failover up to the whole wait.
   */
  wake(): void {
    this.wakeUp?.();
    if (this.inFlight && this.leftOut(this.inFlight)) {
      this.cutShort = true;
      this.drop();
    }
  }

  /** Some partition this broker now follows from the leader is not in `asked` at its current epoch. */
  private leftOut(asked: Map<PartitionReplica, number>): boolean {
    return this.rm.followedFrom(this.leaderId).some((p) => asked.get(p) !== p.leaderEpoch);
  }

  stop(): void {
    this.stopped = true;
    this.client?.close();
    this.client = undefined;
    this.wakeUp?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async connection(): Promise<RawClient> {
    if (this.client && !this.client.closed) return this.client;
    const addr = this.rm.peerAddress(this.leaderId);
    if (!addr) throw new Error(`no address for broker ${this.leaderId}`);
    let c: RawClient | undefined;
    const connecting = RawClient.connect(addr.port, addr.host, { reuseReadBuffer: true }).then((x) => {
      c = x;
      return x;
    });
    this.client = await withDeadline(
      connecting,
      2000,
      () =>
        void connecting.then(
          (x) => x.close(),
          () => {},
        ),
    );
    void c;
    return this.client;
  }

  private drop(): void {
    this.client?.close();
    this.client = undefined;
  }

  private async run(): Promise<void> {
    const waitMs = this.rm.opts.config.replicaFetchWaitMaxMs;
    while (!this.stopped) {
      const parts = this.rm.followedFrom(this.leaderId);
      if (parts.length === 0) {
        await this.pause(200);
        continue;
      }
      try {
        const client = await this.connection();
        const truncating = parts.filter((p) => p.needsTruncation);
        if (truncating.length > 0) await this.truncate(client, truncating);
        const ready = parts.filter((p) => !p.needsTruncation && p.role === "follower");
        if (ready.length === 0) {
          await this.pause(50);
          continue;
        }
        const fresh = ready.filter((p) => this.fetchedAt.get(p) !== p.leaderEpoch);
        if (fresh.length > 0) {
          const names = fresh.slice(0, 20).map((p) => `${p.topic}-${p.partition}@${p.leaderEpoch}`);
          if (fresh.length > 20) names.push(`and ${fresh.length - 20} more`);
          this.rm.opts.log(`following broker ${this.leaderId}: first fetch: ${names.join(" ")}`);
          for (const p of fresh) this.fetchedAt.set(p, p.leaderEpoch);
        }
        // A partition still waiting for its truncation point (the leader did not know its new
        // epoch yet), or one that joined since `parts` was read, is fetched in the next round, so
        // this one does not park for the whole wait (and wake() need not cut it short).
        const asked = new Map(ready.map((p) => [p, p.leaderEpoch]));
        const short = this.leftOut(asked);
        const wait = short ? Math.min(waitMs, 50) : waitMs;
        this.cutShort = false;
        this.inFlight = short ? undefined : asked;
        let errors: boolean;
        try {
          errors = await this.fetchOnce(client, ready, wait);
        } finally {
          this.inFlight = undefined;
        }
        if (errors) await this.pause(50);
      } catch (e) {
        this.drop();
        if (this.cutShort) {
          this.cutShort = false;
          continue;
        }
        if (!this.stopped) await this.pause(100);
        void e;
      }
    }
  }

  private async truncate(client: RawClient, parts: PartitionReplica[]): Promise<void> {
    const byTopic = new Map<string, PartitionReplica[]>();
    for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const asked = new Map(parts.map((p) => [p, { epoch: p.leaderEpoch, latest: p.epochs.latestEpoch }]));
    const body = {
      replicaId: this.rm.nodeId,
      topics: [...byTopic].map(([topic, ps]) => ({
        topic,
        partitions: ps.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: p.leaderEpoch,
          leaderEpoch: asked.get(p)!.latest,
        })),
      })),
    };
    const res = (await withDeadline(client.request(ApiKey.OffsetsForLeaderEpoch, 3, body), 5000, () =>
      this.drop(),
    )) as unknown as OffsetsForLeaderEpochResponse;
    for (const t of res.topics) {
      for (const r of t.partitions) {
        const p = parts.find((x) => x.topic === t.topic && x.partition === r.partition);
        if (p?.role !== "follower" || p.leaderEpoch !== asked.get(p)!.epoch) continue;
        if (r.errorCode !== 0) continue;
        const latest = asked.get(p)!.latest;
        const log = p.log;
        let cut: number;
        if (latest < 0) cut = log.logEndOffset === 0 ? 0 : Math.min(log.highWatermark, log.logEndOffset);
        else if (r.leaderEpoch < 0) cut = Math.min(log.highWatermark, log.logEndOffset);
        else if (r.leaderEpoch === latest) cut = Math.min(r.endOffset, log.logEndOffset);
        else {
          // The leader never had our latest epoch: cut at the end of the epoch we share.
          const ours = p.epochs.endOffsetFor(r.leaderEpoch, log.logEndOffset);
          cut = Math.min(r.endOffset, ours.endOffset);
        }
        if (cut < log.logEndOffset) {
          this.rm.opts.log(
            `${p.topic}-${p.partition}: truncating ${log.logEndOffset - cut} record(s) from ${cut} (leader epoch ${r.leaderEpoch} ends at ${r.endOffset})`,
          );
          log.truncateTo(cut);
        }
        p.epochs.truncateFromEnd(log.logEndOffset);
        p.needsTruncation = false;
      }
    }
  }

  /** One Fetch round; returns true when some partition answered with an error. */
  private async fetchOnce(client: RawClient, parts: PartitionReplica[], waitMs: number): Promise<boolean> {
    const byTopic = new Map<string, PartitionReplica[]>();
    for (const p of parts) {
      const list = byTopic.get(p.topic);
      if (list) list.push(p);
      else byTopic.set(p.topic, [p]);
    }
    const epochs = new Map(parts.map((p) => [p, p.leaderEpoch]));
    const offsets = new Map(parts.map((p) => [p, p.log.logEndOffset]));
    const body = {
      replicaId: this.rm.nodeId,
      maxWaitMs: waitMs,
      minBytes: 1,
      maxBytes: 16 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, ps]) => ({
        topic,
        partitions: ps.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: p.leaderEpoch,
          fetchOffset: p.log.logEndOffset,
          logStartOffset: -1,
          partitionMaxBytes: 4 * 1024 * 1024,
        })),
      })),
      forgottenTopicsData: [],
      rackId: "",
    };
    const res = (await withDeadline(client.request(ApiKey.Fetch, 11, body), waitMs + 3000, () =>
      this.drop(),
    )) as unknown as FetchResponse;
    let errors = false;
    for (const t of res.responses) {
      for (const r of t.partitions) {
        const p = parts.find((x) => x.topic === t.topic && x.partition === r.partitionIndex);
        if (p?.role !== "follower" || p.leaderEpoch !== epochs.get(p)) continue;
        if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          const fetched = offsets.get(p)!;
          const leaderStart = Number(r.logStartOffset);
          if (leaderStart > fetched && fetched === p.log.logEndOffset) {
            // Retention on the leader deleted what this replica still lacks: nothing below the
            // leader's log start can ever be fetched, so start over there (Kafka's
            // handleOutOfRangeError). Fetching again at once is the next round.
            this.rm.opts.log(
              `${p.topic}-${p.partition}: fetch offset ${fetched} is below the leader's log start offset ${leaderStart}: resetting the log to start there`,
            );
            p.log.truncateFullyAndStartAt(leaderStart);
            p.epochs.clear();
            continue;
          }
          // Otherwise this replica is ahead of the leader's log end: truncate by leader epoch.
          p.needsTruncation = true;
          errors = true;
          continue;
        }
        if (r.errorCode !== 0) {
          errors = true;
          continue;
        }
        if (r.records && r.records.length > 0) {
          p.log.appendReplicated(r.records, (base, epoch) => p.epochs.assign(epoch, base));
        }
        p.log.setHighWatermark(Math.min(r.highWatermark, p.log.logEndOffset));
      }
    }
    return errors;
  }
}
