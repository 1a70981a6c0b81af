/**
 * A controller node: one Raft voter (raft/raft-node.ts) whose state machine is the metadata image,
 * and — while it is the Raft leader — the active controller. The active controller is the only
 * one that decides: it tracks broker heartbeats, fences a broker that misses
 * `broker.session.timeout.ms` and moves its leaderships to live ISR members, elects leaders for
 * offline partitions when a broker returns, assigns replicas for new topics, validates ISR changes
 * proposed by leaders (AlterPartition), runs partition reassignments (reassignment.ts) and
 * controlled shutdowns, and hands leadership back to preferred replicas — periodically
 * (leader-balance.ts, `auto.leader.rebalance.enable`) and on ElectLeaders (elect-leaders.ts).
 * Every decision becomes a
 * metadata record that is committed by the quorum before anyone acts on it.
 *
 * Decisions are serialised through one queue, so each is computed against the image with every
 * earlier decision applied. Brokers reach the controller over the internal RPC (rpc/rpc.ts); the
 * methods are listed in engines/log/README.md. A standby controller refuses them with
 * `NOT_CONTROLLER <leader id>` so brokers can follow the quorum's leader.
 */

import { NotLeaderError, RaftNode } from "../raft/raft-node.ts";
import { type RpcServer, serveRpc } from "../rpc/rpc.ts";
import {
  alterTopicConfigs,
  type ConfigChange,
  topicUnclean,
  validateTopicConfigs,
} from "../topic-configs.ts";
import { type ElectionOutcome, planElections } from "./elect-leaders.ts";
import { addBroker, assignReplicas, electUnclean, removeBroker } from "./election.ts";
import { planLeaderRebalance } from "./leader-balance.ts";
import {
  applyRecord,
  type BrokerRecord,
  decodeImage,
  emptyImage,
  encodeImage,
  liveBrokers,
  type MetadataImage,
  type MetadataRecord,
  type PartitionState,
  replaceImage,
} from "./metadata-image.ts";
import {
  listReassignments,
  planReassignments,
  type ReassignRequestTopic,
  tryCompleteReassignment,
} from "./reassignment.ts";
import { sessionStart } from "./sessions.ts";

export interface ControllerOptions {
  id: number;
  voters: Map<number, { host: string; port: number }>;
  /** Where this controller listens (its own entry's port unless a proxy sits in front). */
  host: string;
  port: number;
  dataDir: string;
  sessionTimeoutMs: number;
  electionTimeoutMs: number;
  unclean: boolean;
  /** Periodic preferred-leader rebalance (`auto.leader.rebalance.enable`); null = off. */
  leaderRebalance: { intervalMs: number; percentage: number } | null;
  defaultReplicationFactor: number;
  /** Metadata snapshot after this many committed records, or this many bytes of them, since the last. */
  snapshotMaxRecords: number;
  snapshotMaxBytes: number;
  log: (msg: string) => void;
}

export interface RunningController {
  port: number;
  raft: RaftNode;
  image: MetadataImage;
  close(): Promise<void>;
}

export interface CreateTopicRequest {
  name: string;
  partitions: number;
  replicationFactor: number;
  assignments?: number[][];
  configs: Record<string, string>;
}

export interface AlterTopicConfigsRequest {
  name: string;
  /** `replace`: AlterConfigs (the entries are the whole set); `incremental`: IncrementalAlterConfigs. */
  mode: "replace" | "incremental";
  changes: ConfigChange[];
}

export const NOT_CONTROLLER = "NOT_CONTROLLER";

export async function startController(opts: ControllerOptions): Promise<RunningController> {
  const image = emptyImage();
  const lastSeen = new Map<number, number>();
  const metadataWaiters = new Set<() => void>();
  let queue: Promise<unknown> = Promise.resolve();

  const raft = new RaftNode({
    id: opts.id,
    voters: opts.voters,
    dataDir: opts.dataDir,
    electionTimeoutMs: opts.electionTimeoutMs,
    heartbeatMs: Math.max(20, Math.floor(opts.electionTimeoutMs / 5)),
    log: opts.log,
    apply: (cmd, index) => {
      applyRecord(image, cmd as MetadataRecord, index);
      for (const w of [...metadataWaiters]) w();
      // A broker registered through an entry this leader applies only now (committed by its
      // predecessor) gets its session from now, like the others at the election.
      if (raft.isLeader) for (const b of Object.values(image.brokers)) if (!b.fenced) watch(b.id);
    },
    snapshots: {
      take: () => encodeImage(image),
      restore: (data, index) => {
        replaceImage(image, decodeImage(data));
        image.version = index;
        for (const w of [...metadataWaiters]) w();
      },
      maxEntries: opts.snapshotMaxRecords,
      maxBytes: opts.snapshotMaxBytes,
    },
    onRoleChange: (leader) => {
      if (leader) {
        startSessions();
        startRebalance();
      } else {
        stopSessions();
        stopRebalance();
      }
    },
  });

  /**
   * A new active controller first applies everything committed before its term: deciding on an
   * older image would overwrite newer state (a topic's configs replaced by a stale set, a
   * partition's ISR by an old one).
   */
  const caughtUp = () =>
    raft.isCaughtUpLeader || !raft.isLeader
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            if (raft.isLeader && !raft.isCaughtUpLeader) return;
            clearTimeout(timer);
            metadataWaiters.delete(done);
            resolve();
          };
          const timer = setTimeout(() => {
            metadataWaiters.delete(done);
            resolve();
          }, opts.electionTimeoutMs * 4);
          metadataWaiters.add(done);
        });
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const run = queue.then(caughtUp).then(op, op);
    queue = run.catch(() => undefined);
    return run;
  };
  const requireLeader = () => {
    if (!raft.isLeader) throw new Error(`${NOT_CONTROLLER} ${raft.leaderId ?? -1}`);
  };
  const propose = async (rec: MetadataRecord) => {
    try {
      await raft.propose(rec);
    } catch (e) {
      if (e instanceof NotLeaderError) throw new Error(`${NOT_CONTROLLER} ${e.leaderId ?? -1}`);
      throw e;
    }
  };

  /** Records moving leadership/ISR away from `id` (or back to it), given the live set after the change. */
  const rebalanceFor = (id: number, leaving: boolean, live: Set<number>): MetadataRecord[] => {
    const out: MetadataRecord[] = [];
    for (const [topic, t] of Object.entries(image.topics)) {
      const unclean = topicUnclean(t.configs, opts.unclean);
      for (let i = 0; i < t.partitions.length; i++) {
        const p = t.partitions[i]!;
        const next = leaving ? removeBroker(p, id, live, unclean) : addBroker(p, id, live, unclean);
        if (next) {
          opts.log(
            `${topic}-${i}: leader ${p.leader} → ${next.leader}, isr [${p.isr}] → [${next.isr}], epoch ${next.leaderEpoch}`,
          );
          out.push({ type: "partitionChange", topic, partition: i, state: next });
        }
      }
    }
    return out;
  };

  const fence = (id: number, why: string) =>
    serial(async () => {
      const b = image.brokers[id];
      if (!raft.isLeader || !b || b.fenced) return;
      opts.log(`fencing broker ${id}: ${why}`);
      const live = new Set(liveBrokers(image).filter((b) => b !== id));
      const moves = rebalanceFor(id, true, live);
      // One entry: the fencing and every leadership it moves commit together.
      await propose({ type: "batch", records: [{ type: "brokerFenced", id, fenced: true }, ...moves] });
      opts.log(`broker ${id} fenced, ${moves.length} partition change(s) committed`);
    });

  const unfence = (id: number) =>
    serial(async () => {
      const b = image.brokers[id];
      if (!raft.isLeader || !b?.fenced) return;
      opts.log(`unfencing broker ${id}`);
      const live = new Set([...liveBrokers(image), id]);
      await propose({
        type: "batch",
        records: [{ type: "brokerFenced", id, fenced: false }, ...rebalanceFor(id, false, live)],
      });
    });

  /**
   * Broker sessions, kept by the active controller only: one timer per unfenced broker, due when
   * its session runs out. A heartbeat only moves `lastSeen`; a timer that finds a newer one sleeps
   * again for what is left, so a broker is fenced within a millisecond or so of its deadline
   * without re-arming a timer per heartbeat.
   */
  const deadlines = new Map<number, NodeJS.Timeout>();
  const watch = (id: number) => {
    if (deadlines.has(id) || !raft.isLeader) return;
    const seen = lastSeen.get(id) ?? Date.now();
    lastSeen.set(id, seen);
    const timer = setTimeout(() => expire(id), Math.max(0, seen + opts.sessionTimeoutMs + 1 - Date.now()));
    timer.unref();
    deadlines.set(id, timer);
  };
  const expire = (id: number) => {
    deadlines.delete(id);
    const b = image.brokers[id];
    if (!raft.isLeader || !b || b.fenced) return; // watched again on its next heartbeat
    const silent = Date.now() - (lastSeen.get(id) ?? 0);
    if (silent > opts.sessionTimeoutMs)
      void fence(id, `no heartbeat for ${silent} ms`).catch(() => undefined);
    else watch(id);
  };
  /** The node whose Raft appends this voter received last, and when (see sessions.ts). */
  let lastAppendFrom: { id: number; at: number } | undefined;
  const startSessions = () => {
    const now = Date.now();
    for (const key of Object.keys(image.brokers)) {
      const id = Number(key);
      const from = sessionStart({
        broker: id,
        self: opts.id,
        lastAppendFrom,
        now,
        electionTimeoutMs: opts.electionTimeoutMs,
        sessionTimeoutMs: opts.sessionTimeoutMs,
      });
      if (from < now)
        opts.log(
          `broker ${id} was the active controller: its session counts from its last append, ${now - from} ms ago`,
        );
      lastSeen.set(id, from);
      watch(id);
    }
  };
  const stopSessions = () => {
    for (const t of deadlines.values()) clearTimeout(t);
    deadlines.clear();
  };

  /**
   * Kafka's auto leader rebalance: every `leader.imbalance.check.interval.seconds` the active
   * controller elects the preferred replica of each partition whose preferred broker is more than
   * `leader.imbalance.per.broker.percentage` imbalanced (leader-balance.ts). Like every leader
   * change it is one committed record at a new leader epoch, queued behind earlier decisions.
   */
  let rebalanceTimer: NodeJS.Timeout | undefined;
  let rebalancing = false;
  const rebalanceLeaders = () =>
    serial(async () => {
      if (!raft.isLeader || !opts.leaderRebalance) return;
      const plan = planLeaderRebalance(image, opts.leaderRebalance.percentage);
      if (plan.records.length === 0) return;
      for (const c of plan.changes) opts.log(c);
      await propose({ type: "batch", records: plan.records });
    });
  const startRebalance = () => {
    const r = opts.leaderRebalance;
    if (!r || rebalanceTimer) return;
    rebalanceTimer = setInterval(() => {
      if (rebalancing) return;
      rebalancing = true;
      void rebalanceLeaders()
        .catch((e) => opts.log(`leader rebalance failed: ${(e as Error).message}`))
        .finally(() => {
          rebalancing = false;
        });
    }, r.intervalMs);
    rebalanceTimer.unref();
  };
  const stopRebalance = () => {
    clearInterval(rebalanceTimer);
    rebalanceTimer = undefined;
  };

  const createTopics = (topics: CreateTopicRequest[]) =>
    serial(async () => {
      const out: Array<{ name: string; errorCode: number; errorMessage: string | null }> = [];
      for (const t of topics) {
        const fail = (errorCode: number, errorMessage: string) =>
          out.push({ name: t.name, errorCode, errorMessage });
        if (image.topics[t.name]) {
          fail(36, `topic ${t.name} already exists`);
          continue;
        }
        const configs = validateTopicConfigs(t.configs ?? {});
        if (!configs.ok) {
          fail(40, configs.message);
          continue;
        }
        const live = liveBrokers(image);
        const rf = t.replicationFactor === -1 ? opts.defaultReplicationFactor : t.replicationFactor;
        let replicas: number[][];
        if (t.assignments && t.assignments.length > 0) {
          const known = new Set(Object.keys(image.brokers).map(Number));
          if (!t.assignments.every((a) => a.length > 0 && a.every((b) => known.has(b)))) {
            fail(38, "assignments name unknown brokers");
            continue;
          }
          replicas = t.assignments;
        } else {
          if (rf < 1 || rf > live.length) {
            fail(38, `replication factor ${rf} but ${live.length} broker(s) available`);
            continue;
          }
          const start = Object.keys(image.topics).length;
          replicas = assignReplicas(live, t.partitions, rf, start);
        }
        const liveSet = new Set(live);
        const partitions: PartitionState[] = replicas.map((r) => {
          const leader = r.find((b) => liveSet.has(b)) ?? -1;
          return {
            replicas: r,
            leader,
            isr: r.filter((b) => liveSet.has(b)),
            leaderEpoch: 0,
            partitionEpoch: 0,
          };
        });
        await propose({ type: "createTopic", name: t.name, configs: configs.configs, partitions });
        out.push({ name: t.name, errorCode: 0, errorMessage: null });
      }
      return out;
    });

  /**
   * AlterConfigs / IncrementalAlterConfigs for topics: the new config set is computed against the
   * image and validated here, and committed as one record per topic. Turning unclean election on
   * for a topic elects a leader for its offline partitions at once (as Kafka's controller does).
   */
  const alterConfigs = (req: { topics: AlterTopicConfigsRequest[]; validateOnly: boolean }) =>
    serial(async () => {
      const out: Array<{ name: string; errorCode: number; errorMessage: string | null }> = [];
      for (const t of req.topics) {
        const topic = image.topics[t.name];
        if (!topic) {
          out.push({ name: t.name, errorCode: 3, errorMessage: `topic ${t.name} does not exist` });
          continue;
        }
        const r = alterTopicConfigs(topic.configs, t.mode, t.changes);
        if (!r.ok) {
          out.push({ name: t.name, errorCode: r.errorCode, errorMessage: r.message });
          continue;
        }
        if (!req.validateOnly) {
          const records: MetadataRecord[] = [{ type: "topicConfigs", name: t.name, configs: r.configs }];
          if (topicUnclean(r.configs, opts.unclean) && !topicUnclean(topic.configs, opts.unclean)) {
            const live = new Set(liveBrokers(image));
            topic.partitions.forEach((p, i) => {
              const next = electUnclean(p, live);
              if (next) {
                opts.log(`${t.name}-${i}: unclean election enabled, leader → ${next.leader}`);
                records.push({ type: "partitionChange", topic: t.name, partition: i, state: next });
              }
            });
          }
          opts.log(`${t.name}: configs ${JSON.stringify(r.configs)}`);
          await propose({ type: "batch", records });
        }
        out.push({ name: t.name, errorCode: 0, errorMessage: null });
      }
      return out;
    });

  const alterPartition = (req: {
    brokerId: number;
    topic: string;
    partition: number;
    leaderEpoch: number;
    partitionEpoch: number;
    isr: number[];
  }) =>
    serial(async () => {
      const p = image.topics[req.topic]?.partitions[req.partition];
      if (!p) return { errorCode: 3, state: null };
      if (p.leader !== req.brokerId || p.leaderEpoch !== req.leaderEpoch) return { errorCode: 74, state: p };
      if (p.partitionEpoch !== req.partitionEpoch) return { errorCode: 108, state: p }; // INVALID_UPDATE_VERSION
      const live = new Set(liveBrokers(image));
      const isr = [...new Set(req.isr)].filter((b) => p.replicas.includes(b));
      const ineligible = isr.filter((b) => !p.isr.includes(b) && !live.has(b));
      if (!isr.includes(p.leader) || ineligible.length > 0) return { errorCode: 42, state: p };
      // The ISR change that takes in the last target replica also completes a reassignment.
      const state = tryCompleteReassignment({ ...p, isr, partitionEpoch: p.partitionEpoch + 1 }, live);
      opts.log(
        `${req.topic}-${req.partition}: isr [${p.isr}] → [${isr}] (AlterPartition from ${req.brokerId})`,
      );
      if (state.replicas !== p.replicas)
        opts.log(
          `${req.topic}-${req.partition}: reassignment complete, replicas [${state.replicas}], isr [${state.isr}], leader ${state.leader} epoch ${state.leaderEpoch}`,
        );
      await propose({ type: "partitionChange", topic: req.topic, partition: req.partition, state });
      return { errorCode: 0, state };
    });

  const handle = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    if (method.startsWith("raft.")) {
      if (method === "raft.append" || method === "raft.snapshot")
        lastAppendFrom = { id: params.leaderId as number, at: Date.now() };
      return raft.handle(method, params);
    }
    requireLeader();
    switch (method) {
      case "broker.register": {
        const b = params.broker as Omit<BrokerRecord, "fenced">;
        lastSeen.set(b.id, Date.now());
        watch(b.id);
        // A restarted broker lost its replication state: move its leaderships away first.
        if (image.brokers[b.id] && !image.brokers[b.id]!.fenced)
          await fence(b.id, "re-registered after a restart");
        await serial(() => propose({ type: "registerBroker", broker: { ...b, fenced: true } }));
        await unfence(b.id);
        // The broker serves clients only once its image reaches this version (cluster-node.ts).
        return { ok: true, version: image.version };
      }
      case "broker.heartbeat": {
        const id = params.id as number;
        const b = image.brokers[id];
        if (!b) return { unknown: true };
        lastSeen.set(id, Date.now());
        watch(id);
        if (b.fenced && !params.shuttingDown) void unfence(id).catch(() => undefined);
        return { fenced: b.fenced, version: image.version };
      }
      case "broker.metadata": {
        const since = (params.since as number) ?? -1;
        const maxWait = Math.min((params.maxWaitMs as number) ?? 1000, 5000);
        if (image.version <= since) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              metadataWaiters.delete(done);
              resolve();
            };
            const timer = setTimeout(done, maxWait);
            metadataWaiters.add(done);
          });
        }
        requireLeader();
        return image;
      }
      case "broker.createTopics":
        return { topics: await createTopics(params.topics as CreateTopicRequest[]) };
      case "broker.deleteTopics":
        return {
          topics: await serial(async () => {
            const out: Array<{ name: string; errorCode: number }> = [];
            for (const name of params.names as string[]) {
              if (!image.topics[name]) out.push({ name, errorCode: 3 });
              else {
                await propose({ type: "deleteTopic", name });
                out.push({ name, errorCode: 0 });
              }
            }
            return out;
          }),
        };
      case "broker.commitOffsets":
        await propose({
          type: "offsetCommit",
          group: params.group as string,
          entries: params.entries as Array<{
            topic: string;
            partition: number;
            offset: number;
            metadata: string | null;
          }>,
        });
        return { ok: true };
      case "broker.alterConfigs":
        return {
          topics: await alterConfigs(params as Parameters<typeof alterConfigs>[0]),
          version: image.version,
        };
      case "broker.alterPartition":
        return alterPartition(params as Parameters<typeof alterPartition>[0]);
      case "broker.alterReassignments":
        return serial(async () => {
          const plan = planReassignments(image, params.topics as ReassignRequestTopic[]);
          for (const c of plan.changes) opts.log(c);
          if (plan.records.length > 0) await propose({ type: "batch", records: plan.records });
          return { topics: plan.results, version: image.version };
        });
      case "broker.electLeaders":
        return serial(async () => {
          const plan = planElections(
            image,
            params.electionType as number,
            params.topics as Array<{ topic: string; partitions: number[] }> | null,
          );
          for (const c of plan.changes) opts.log(c);
          if (plan.records.length > 0) await propose({ type: "batch", records: plan.records });
          return { topics: plan.results satisfies ElectionOutcome[], version: image.version };
        });
      case "broker.listReassignments":
        return {
          topics: listReassignments(
            image,
            params.topics as Array<{ name: string; partitionIndexes: number[] }> | null,
          ),
        };
      case "broker.controlledShutdown": {
        const id = params.id as number;
        await fence(id, "controlled shutdown");
        // Leadership is gone once no partition names it leader.
        const leads = Object.values(image.topics).some((t) => t.partitions.some((p) => p.leader === id));
        return { done: !leads };
      }
      default:
        throw new Error(`unknown method ${method}`);
    }
  };

  const server: RpcServer = await serveRpc(opts.host, opts.port, handle);
  raft.start();
  return {
    port: server.port,
    raft,
    image,
    async close() {
      stopSessions();
      stopRebalance();
      for (const w of [...metadataWaiters]) w();
      raft.stop();
      await server.close();
    },
  };
}
