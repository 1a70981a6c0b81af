/**
 * The broker half of the cluster: applies each metadata image from the controller to the local
 * logs (creating and deleting topics, taking leadership or following), runs one fetcher per
 * leader this broker follows, answers followers' fetches and OffsetsForLeaderEpoch as leader, and
 * keeps the ISR honest: members lagging more than `replica.lag.time.max.ms` are proposed for
 * removal and caught-up replicas for re-admission, both through the controller (AlterPartition).
 */

import type { BrokerConfig } from "../config.ts";
import type { MetadataImage, PartitionState } from "../controller/metadata-image.ts";
import type { QuorumClient } from "../controller/quorum-client.ts";
import type { FetchPartitionResponse, FetchRequest, FetchResponse } from "../protocol/apis/fetch.ts";
import type {
  OffsetsForLeaderEpochRequest,
  OffsetsForLeaderEpochResponse,
} from "../protocol/apis/offsets-for-leader-epoch.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { isLogTopicKey, replicationTopicKeys } from "../storage/log-config.ts";
import type { LogManager } from "../storage/log-manager.ts";
import { topicMinIsr } from "../topic-configs.ts";
import { Fetcher } from "./fetcher.ts";
import { PartitionReplica } from "./partition-replica.ts";

export interface ReplicaManagerOptions {
  nodeId: number;
  logs: LogManager;
  config: BrokerConfig;
  /** How to reach other brokers for replication, overriding what they registered (--peer). */
  peers: Map<number, { host: string; port: number }>;
  log: (msg: string) => void;
}

const key = (t: string, p: number) => `${t}\u0000${p}`;

export class ReplicaManager {
  image: MetadataImage = { version: -1, brokers: {}, topics: {}, offsets: {} };
  quorum: QuorumClient | undefined;
  readonly replicas = new Map<string, PartitionReplica>();
  /** The same replicas by topic and partition index: the request path looks them up without a key string. */
  private readonly byTopic = new Map<string, Array<PartitionReplica | undefined>>();
  /** followedFrom's answers until the next image (roles and leaders change only when one applies). */
  private readonly followed = new Map<number, PartitionReplica[]>();
  private readonly fetchers = new Map<number, Fetcher>();
  private readonly imageListeners = new Set<() => void>();
  private readonly isrTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(readonly opts: ReplicaManagerOptions) {
    const every = Math.max(50, Math.min(1000, Math.floor(opts.config.replicaLagTimeMaxMs / 4)));
    this.isrTimer = setInterval(() => this.checkIsr(), every);
    this.isrTimer.unref();
  }

  get nodeId(): number {
    return this.opts.nodeId;
  }

  get minIsr(): number {
    return this.opts.config.minInsyncReplicas;
  }

  /** The topic's min.insync.replicas (its override in the image, else the broker's), read per use. */
  minIsrFor(topic: string): number {
    return topicMinIsr(this.image.topics[topic]?.configs, this.opts.config.minInsyncReplicas);
  }

  replica(topic: string, partition: number): PartitionReplica | undefined {
    return this.byTopic.get(topic)?.[partition];
  }

  /** Resolves when an image satisfying `pred` has been applied (or after `timeoutMs`). */
  waitForImage(pred: (i: MetadataImage) => boolean, timeoutMs: number): Promise<boolean> {
    if (pred(this.image)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!pred(this.image)) return;
        done(true);
      };
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.imageListeners.delete(check);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.imageListeners.add(check);
    });
  }

  /** Calls `listener` after every image applied from now on; returns the function that stops it. */
  onImageApplied(listener: () => void): () => void {
    this.imageListeners.add(listener);
    return () => this.imageListeners.delete(listener);
  }

  applyImage(image: MetadataImage): void {
    if (this.stopped) return;
    this.image = image;
    this.followed.clear();
    const logs = this.opts.logs;
    for (const name of logs.topicNames()) {
      if (!image.topics[name]) {
        for (const k of [...this.replicas.keys()]) {
          if (k.startsWith(`${name}\u0000`)) {
            this.replicas.get(k)!.close();
            this.replicas.delete(k);
          }
        }
        this.byTopic.delete(name);
        logs.deleteTopic(name);
      }
    }
    for (const [name, t] of Object.entries(image.topics)) {
      let topic = logs.topic(name);
      const configs: Record<string, string> = {};
      for (const [k, v] of Object.entries(t.configs))
        if (isLogTopicKey(k) || replicationTopicKeys.has(k)) configs[k] = v;
      if (!topic) topic = logs.createTopic(name, t.partitions.length, configs);
      else if (JSON.stringify(topic.meta.configs) !== JSON.stringify(configs)) {
        try {
          logs.setTopicConfigs(name, configs);
        } catch (e) {
          this.opts.log(`${name}: cannot apply configs ${JSON.stringify(configs)}: ${(e as Error).message}`);
        }
      }
      t.partitions.forEach((state, i) => {
        const log = topic!.partitions[i];
        if (!log) return;
        let r = this.replica(name, i);
        if (!r) {
          r = new PartitionReplica(name, i, log, this.nodeId, () => this.minIsrFor(name), state);
          this.replicas.set(key(name, i), r);
          let parts = this.byTopic.get(name);
          if (!parts) {
            parts = [];
            this.byTopic.set(name, parts);
          }
          parts[i] = r;
        }
        this.applyPartition(r, state);
      });
    }
    this.syncFetchers();
    for (const l of [...this.imageListeners]) l();
  }

  private applyPartition(r: PartitionReplica, state: PartitionState): void {
    const me = this.nodeId;
    if (!state.replicas.includes(me)) {
      if (r.role !== "none") r.becomeNone(state);
      else r.state = state;
      // Not (or no longer, after a reassignment) a replica: drop the copy, as Kafka deletes the
      // log of a removed replica. A broker that was down when it was removed does it on return.
      if (r.log.logEndOffset > 0 || r.log.logStartOffset > 0) {
        this.opts.log(`${r.topic}-${r.partition}: no longer a replica, deleting the local copy`);
        r.log.truncateFullyAndStartAt(0);
        r.epochs.clear();
      }
      return;
    }
    if (state.leader === me) {
      if (r.role !== "leader" || r.leaderEpoch !== state.leaderEpoch) {
        r.becomeLeader(state);
        this.opts.log(
          `${r.topic}-${r.partition}: leader at epoch ${state.leaderEpoch}, LEO ${r.log.logEndOffset}`,
        );
      } else r.update(state);
      return;
    }
    if (r.role !== "follower" || r.leaderEpoch !== state.leaderEpoch || r.state.leader !== state.leader) {
      r.becomeFollower(state);
    } else r.update(state);
  }

  /** Leader id → the partitions this broker follows from it. */
  followedFrom(leader: number): PartitionReplica[] {
    let parts = this.followed.get(leader);
    if (!parts) {
      parts = [...this.replicas.values()].filter((r) => r.role === "follower" && r.state.leader === leader);
      this.followed.set(leader, parts);
    }
    return parts;
  }

  peerAddress(id: number): { host: string; port: number } | undefined {
    const o = this.opts.peers.get(id);
    if (o) return o;
    const b = this.image.brokers[id];
    return b ? { host: b.replicationHost, port: b.replicationPort } : undefined;
  }

  private syncFetchers(): void {
    const leaders = new Set<number>();
    for (const r of this.replicas.values())
      if (r.role === "follower" && r.state.leader >= 0) leaders.add(r.state.leader);
    for (const [id, f] of this.fetchers) {
      if (!leaders.has(id)) {
        f.stop();
        this.fetchers.delete(id);
      } else f.wake();
    }
    for (const id of leaders) {
      if (this.fetchers.has(id)) continue;
      const f = new Fetcher(this, id);
      this.fetchers.set(id, f);
      f.start();
    }
  }

  /** Periodic: propose ISR shrinks for lagging members (expansions happen on fetch). */
  private checkIsr(): void {
    if (this.stopped || !this.quorum) return;
    const now = Date.now();
    for (const r of this.replicas.values()) {
      if (r.role !== "leader" || r.pendingIsr) continue;
      const lagging = r.laggingIsrMembers(this.opts.config.replicaLagTimeMaxMs, now);
      if (lagging.length > 0) {
        this.opts.log(`${r.topic}-${r.partition}: shrinking ISR, [${lagging}] lagging`);
        void this.alterIsr(
          r,
          r.state.isr.filter((b) => !lagging.includes(b)),
        );
      }
    }
  }

  private async alterIsr(r: PartitionReplica, isr: number[]): Promise<void> {
    if (!this.quorum) return;
    r.pendingIsr = isr;
    const epoch = r.leaderEpoch;
    let keep = false;
    try {
      const res = await this.quorum.call<{ errorCode: number; state: PartitionState | null }>(
        "broker.alterPartition",
        {
          brokerId: this.nodeId,
          topic: r.topic,
          partition: r.partition,
          leaderEpoch: r.leaderEpoch,
          partitionEpoch: r.state.partitionEpoch,
          isr,
        },
        5000,
      );
      if (r.role === "leader" && r.leaderEpoch === epoch && res.state && res.state.leaderEpoch === epoch) {
        r.pendingIsr = null;
        r.update(res.state);
      } else if (
        r.role === "leader" &&
        r.leaderEpoch === epoch &&
        res.state &&
        res.state.leaderEpoch > epoch
      ) {
        // The change also completed a reassignment: a new leader (possibly the replica just
        // added), or removed replicas fenced. Until this broker's image has it, keep counting the
        // proposed members toward the HW, or it would ack writes the new leader lacks.
        keep = true;
      }
    } catch (e) {
      this.opts.log(`${r.topic}-${r.partition}: AlterPartition failed: ${(e as Error).message}`);
    } finally {
      if (r.pendingIsr === isr && !keep) r.pendingIsr = null;
    }
  }

  /**
   * Leader side of a follower's Fetch (replica_id ≥ 0): records its LEO, serves up to the LEO.
   * With nothing to send it parks until an append on one of its partitions (one wake-up per turn,
   * however many partitions or produce requests that turn appended to) or its max wait.
   */
  handleReplicaFetch(req: FetchRequest): FetchResponse | Promise<FetchResponse> {
    const first = this.replicaFetchPass(req, true);
    if (first.bytes > 0 || first.errors || req.maxWaitMs <= 0) return first.response;
    return new Promise<FetchResponse>((resolve) => {
      const offs: Array<() => void> = [];
      let scheduled = false;
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        for (const o of offs) o();
        resolve(this.replicaFetchPass(req, false).response);
      };
      const wake = () => {
        if (scheduled) return;
        scheduled = true;
        setImmediate(done);
      };
      const timer = setTimeout(done, Math.min(req.maxWaitMs, 30_000));
      for (const t of req.topics) {
        for (const p of t.partitions) {
          const r = this.replica(t.topic, p.partition);
          if (r) offs.push(r.onAppend(wake));
        }
      }
    });
  }

  /** One pass over a follower's Fetch; `record` notes its fetch offsets (the first pass only). */
  private replicaFetchPass(
    req: FetchRequest,
    record: boolean,
  ): { response: FetchResponse; bytes: number; errors: boolean } {
    let bytes = 0;
    let errors = false;
    const responses = new Array<FetchResponse["responses"][number]>(req.topics.length);
    for (let ti = 0; ti < req.topics.length; ti++) {
      const t = req.topics[ti]!;
      const partitions = new Array<FetchPartitionResponse>(t.partitions.length);
      for (let pi = 0; pi < t.partitions.length; pi++) {
        const p = t.partitions[pi]!;
        const r = this.replica(t.topic, p.partition);
        const code = !r
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : r.role !== "leader"
            ? ErrorCode.NOT_LEADER_OR_FOLLOWER
            : p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < r.leaderEpoch
              ? ErrorCode.FENCED_LEADER_EPOCH
              : p.currentLeaderEpoch > r.leaderEpoch
                ? ErrorCode.UNKNOWN_LEADER_EPOCH
                : 0;
        if (code !== 0 || !r) {
          errors = true;
          partitions[pi] = {
            partitionIndex: p.partition,
            errorCode: code,
            highWatermark: -1,
            lastStableOffset: -1,
            logStartOffset: -1,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: null,
          };
          continue;
        }
        const log = r.log;
        // An out-of-range fetch (below the log start, or past the LEO of a diverged replica)
        // says nothing about what the follower holds, as in Kafka; it only gets the error.
        const inRange = p.fetchOffset >= log.logStartOffset && p.fetchOffset <= log.logEndOffset;
        if (record && inRange) {
          r.recordFollowerFetch(req.replicaId, p.fetchOffset);
          if (r.canJoinIsr(req.replicaId) && !r.pendingIsr) {
            this.opts.log(`${r.topic}-${r.partition}: broker ${req.replicaId} caught up, expanding ISR`);
            void this.alterIsr(r, [...r.state.isr, req.replicaId]);
          }
        }
        const read = log.read(p.fetchOffset, p.partitionMaxBytes, true, log.logEndOffset);
        if (read.errorCode !== 0) errors = true;
        if (read.records) bytes += read.records.length;
        partitions[pi] = {
          partitionIndex: p.partition,
          errorCode: read.errorCode,
          highWatermark: log.highWatermark,
          lastStableOffset: log.highWatermark,
          logStartOffset: log.logStartOffset,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: read.records,
        };
      }
      responses[ti] = { topic: t.topic, partitions };
    }
    return { response: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses }, bytes, errors };
  }

  /**
   * Fetch by the debugging consumer (replica_id −2): this broker's own copy of each partition,
   * whatever its role, up to its LEO, without waiting. The divergence check reads every replica
   * this way; the answer's HW is this replica's own.
   */
  handleDebugFetch(req: FetchRequest): FetchResponse {
    let budget = req.maxBytes > 0 ? req.maxBytes : Number.MAX_SAFE_INTEGER;
    const responses = req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p): FetchPartitionResponse => {
        const log = this.opts.logs.partition(t.topic, p.partition);
        const read = log
          ? log.read(
              p.fetchOffset,
              Math.min(p.partitionMaxBytes, Math.max(0, budget)),
              true,
              log.logEndOffset,
            )
          : { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, records: null };
        if (read.records) budget -= read.records.length;
        return {
          partitionIndex: p.partition,
          errorCode: read.errorCode,
          highWatermark: log?.highWatermark ?? -1,
          lastStableOffset: log?.logEndOffset ?? -1,
          logStartOffset: log?.logStartOffset ?? -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: read.records,
        };
      }),
    }));
    return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses };
  }

  /** OffsetsForLeaderEpoch as leader (KIP-279: largest known epoch ≤ the asked one, its end offset). */
  handleOffsetsForLeaderEpoch(req: OffsetsForLeaderEpochRequest): OffsetsForLeaderEpochResponse {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const r = this.replica(t.topic, p.partition);
          const fail = (errorCode: number) => ({
            errorCode,
            partition: p.partition,
            leaderEpoch: -1,
            endOffset: -1,
          });
          if (!r) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (r.role !== "leader") return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
          if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < r.leaderEpoch)
            return fail(ErrorCode.FENCED_LEADER_EPOCH);
          if (p.currentLeaderEpoch > r.leaderEpoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH);
          const e = r.epochs.endOffsetFor(p.leaderEpoch, r.log.logEndOffset);
          return { errorCode: 0, partition: p.partition, leaderEpoch: e.epoch, endOffset: e.endOffset };
        }),
      })),
    };
  }

  close(): void {
    this.stopped = true;
    clearInterval(this.isrTimer);
    for (const f of this.fetchers.values()) f.stop();
    this.fetchers.clear();
    for (const r of this.replicas.values()) r.close();
  }
}
