/**
 * The Kafka APIs whose answers change when the broker is one of a cluster. They replace the
 * single-broker handlers (broker.ts consults `ctx.clusterHandlers` first) and reuse them where
 * the local work is the same:
 *  - Produce: only the leader appends; acks=all refuses with NOT_ENOUGH_REPLICAS (19) when the
 *    ISR is below min.insync.replicas, else appends and parks until the HW passes the batch
 *    (REQUEST_TIMED_OUT (7) after timeout_ms, NOT_ENOUGH_REPLICAS_AFTER_APPEND (20) if the ISR
 *    shrank below the minimum, NOT_LEADER_OR_FOLLOWER (6) if leadership moved meanwhile). A
 *    client's Produce to __consumer_offsets is refused (INVALID_TOPIC_EXCEPTION, 17).
 *  - Fetch: followers (replica_id ≥ 0) are served up to the LEO by the replica manager; consumers
 *    read below the HW from the leader, or with Fetch v11+ from a follower (KIP-392; 6 elsewhere),
 *    and the rack-aware selector points them at the in-sync replica in their rack.
 *  - Metadata: brokers, leaders, replicas, ISR and offline replicas from the controller's image;
 *    auto-creation and CreateTopics/DeleteTopics go to the active controller.
 *  - Groups: the coordinator is the leader of `__consumer_offsets` partition 0 (a replicated
 *    internal topic, so leadership moves like any other); a commit is a batch appended to that
 *    partition with acks=all, and a new leader loads the offsets from its log
 *    (groups/offsets-partition.ts). Other brokers answer NOT_COORDINATOR (16), a leader still
 *    loading COORDINATOR_LOAD_IN_PROGRESS (14); ListGroups on a broker that coordinates nothing
 *    lists nothing.
 */

import type { BrokerContext, Handler } from "../broker-context.ts";
import type { CreateTopicRequest } from "../controller/controller.ts";
import type { QuorumClient } from "../controller/quorum-client.ts";
import { OffsetsPartition } from "../groups/offsets-partition.ts";
import { handleFetch } from "../handlers/fetch.ts";
import {
  handleDescribeGroups,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleOffsetFetch,
  handleSyncGroup,
} from "../handlers/groups.ts";
import { handleListOffsets } from "../handlers/list-offsets.ts";
import { refusedForVersion } from "../handlers/produce.ts";
import type { CreateTopicsRequest, CreateTopicsResponse } from "../protocol/apis/create-topics.ts";
import type { DeleteGroupsRequest, DeleteGroupsResponse } from "../protocol/apis/delete-groups.ts";
import type { DeleteTopicsRequest, DeleteTopicsResponse } from "../protocol/apis/delete-topics.ts";
import type { DescribeGroupsRequest } from "../protocol/apis/describe-groups.ts";
import type { FetchPartitionResponse, FetchRequest, FetchResponse } from "../protocol/apis/fetch.ts";
import type {
  Coordinator,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
} from "../protocol/apis/find-coordinator.ts";
import type { ListOffsetsRequest, ListOffsetsResponse } from "../protocol/apis/list-offsets.ts";
import type { MetadataRequest, MetadataResponse } from "../protocol/apis/metadata.ts";
import type { OffsetCommitRequest, OffsetCommitResponse } from "../protocol/apis/offset-commit.ts";
import type { OffsetFetchRequest } from "../protocol/apis/offset-fetch.ts";
import type { OffsetsForLeaderEpochRequest } from "../protocol/apis/offsets-for-leader-epoch.ts";
import type { ProducePartitionResponse, ProduceRequest, ProduceResponse } from "../protocol/apis/produce.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { RequestHeader } from "../protocol/header.ts";
import { ApiKey } from "../protocol/registry.ts";
import { isValidTopicName } from "../storage/log-manager.ts";
import { createdTopicConfigs, validateTopicConfigs } from "../topic-configs.ts";
import { clusterConfigHandlers } from "./cluster-configs.ts";
import { clusterElectLeadersHandler } from "./cluster-elect-leaders.ts";
import { clusterReassignmentHandlers } from "./cluster-reassignments.ts";
import type { ReplicaManager } from "./replica-manager.ts";

export const OFFSETS_TOPIC = "__consumer_offsets";
/** Kafka's debugging consumer id: reads this replica's own log (any role) up to its LEO. */
export const DEBUG_REPLICA_ID = -2;

/**
 * `ctx`, when given, is the broker's context: the coordinator's link to the offsets partition is
 * made at once, so a broker that becomes its leader loads the groups before the first request.
 */
export function clusterHandlers(
  rm: ReplicaManager,
  quorum: QuorumClient,
  ctx?: BrokerContext,
): ReadonlyMap<number, Handler> {
  const me = rm.nodeId;

  async function createTopics(ctx: BrokerContext, topics: CreateTopicRequest[]) {
    const r = await quorum.call<{
      topics: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
    }>("broker.createTopics", { topics }, 10_000, 5000);
    const created = r.topics.filter((t) => t.errorCode === 0).map((t) => t.name);
    await rm.waitForImage((i) => created.every((n) => i.topics[n] !== undefined), 5000);
    void ctx;
    return r.topics;
  }

  /** The coordinator: leader of the offsets topic, created on first use. */
  async function coordinator(ctx: BrokerContext): Promise<number> {
    let t = rm.image.topics[OFFSETS_TOPIC];
    if (!t) {
      const live = Object.values(rm.image.brokers).filter((b) => !b.fenced).length;
      const rf = Math.max(1, Math.min(ctx.config.offsetsTopicReplicationFactor, live));
      // A commit must survive the loss of any one broker: it waits for two replicas when it can.
      const minIsr = Math.min(rf, Math.max(2, ctx.config.minInsyncReplicas));
      await createTopics(ctx, [
        {
          name: OFFSETS_TOPIC,
          partitions: 1,
          replicationFactor: rf,
          // Compacted, as in Kafka: the cleaner keeps each group's last commit per partition and
          // retention deletes nothing. Small segments, because the cleaner never touches the
          // active one: its size bounds what a new coordinator replays beyond the compacted part.
          configs: {
            "min.insync.replicas": String(minIsr),
            "cleanup.policy": "compact",
            "segment.bytes": String(ctx.config.offsetsTopicSegmentBytes),
          },
        },
      ]).catch(() => undefined);
      t = rm.image.topics[OFFSETS_TOPIC];
    }
    return t?.partitions[0]?.leader ?? -1;
  }

  let offsets: OffsetsPartition | undefined;
  /** The coordinator's link to the offsets partition (made on first use: it needs the context). */
  const offsetsOf = (ctx: BrokerContext): OffsetsPartition => {
    if (offsets) return offsets;
    const made = new OffsetsPartition({
      replica: () => rm.replica(OFFSETS_TOPIC, 0),
      groups: ctx.groups,
      offsets: ctx.offsets,
      topicExists: (topic) => rm.image.topics[topic] !== undefined,
      minIsr: () => rm.minIsrFor(OFFSETS_TOPIC),
      commitTimeoutMs: ctx.config.offsetsCommitTimeoutMs,
      log: rm.opts.log,
    });
    rm.onImageApplied(() => made.onImageApplied());
    offsets = made;
    return made;
  };

  if (ctx) offsetsOf(ctx);

  const produce = (
    _ctx: BrokerContext,
    req: ProduceRequest,
    header: RequestHeader,
  ): ProduceResponse | Promise<ProduceResponse> | null => {
    const acks = req.acks;
    // acks=all: one count of the partitions still waiting for their HW, one promise for all.
    let waiting = 1;
    let answer: (() => void) | undefined;
    const acked = () => {
      if (--waiting === 0) answer?.();
    };
    const responses = new Array<ProduceResponse["responses"][number]>(req.topicData.length);
    for (let ti = 0; ti < req.topicData.length; ti++) {
      const t = req.topicData[ti]!;
      // Only the coordinator writes the offsets topic (through its own replica, not Produce): a
      // client's record there would be replayed as group state by the next coordinator to load.
      const internal = t.name === OFFSETS_TOPIC;
      const partitionResponses = new Array<ProducePartitionResponse>(t.partitionData.length);
      for (let pi = 0; pi < t.partitionData.length; pi++) {
        const p = t.partitionData[pi]!;
        const out: ProducePartitionResponse = {
          index: p.index,
          errorCode: 0,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
        };
        partitionResponses[pi] = out;
        const refused = refusedForVersion(header.apiVersion, p.records);
        if (refused !== 0) {
          out.errorCode = refused;
          continue;
        }
        if (acks !== 0 && acks !== 1 && acks !== -1) {
          out.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
          continue;
        }
        if (internal) {
          out.errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
          continue;
        }
        const r = rm.replica(t.name, p.index);
        if (!r) out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (r.role !== "leader") out.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        else if (acks === -1 && r.state.isr.length < rm.minIsrFor(t.name))
          out.errorCode = ErrorCode.NOT_ENOUGH_REPLICAS;
        else if (p.records === null || p.records.length === 0) out.errorCode = ErrorCode.INVALID_RECORD;
        if (out.errorCode !== 0 || !r) continue;
        const a = r.log.append(p.records!);
        if (a.errorCode !== 0 || !("baseOffset" in a)) {
          out.errorCode = a.errorCode;
          continue;
        }
        out.baseOffset = a.baseOffset;
        out.logStartOffset = r.log.logStartOffset;
        r.notifyAppend();
        r.maybeAdvanceHighWatermark();
        if (acks === -1) {
          waiting++;
          r.whenHighWatermark(a.lastOffset, req.timeoutMs, (code) => {
            if (code !== 0) out.errorCode = code;
            acked();
          });
        }
      }
      responses[ti] = { name: t.name, partitionResponses };
    }
    if (acks === 0) return null;
    const body = { responses, throttleTimeMs: 0 };
    // whenHighWatermark never answers synchronously, so every wait is counted by now.
    if (--waiting === 0) return body;
    return new Promise((resolve) => {
      answer = () => resolve(body);
    });
  };

  const fetch = (
    ctx: BrokerContext,
    req: FetchRequest,
    header: RequestHeader,
    conn: Parameters<Handler>[3],
  ) => {
    if (req.replicaId >= 0) return rm.handleReplicaFetch(req);
    if (req.replicaId === DEBUG_REPLICA_ID) return rm.handleDebugFetch(req);
    // KIP-392: from Fetch v11 (which carries the consumer's rack) a follower serves consumers too,
    // below its own HW; with the rack-aware selector a leader sends a consumer whose rack it is not
    // in to an in-sync replica that is.
    const followersServe = header.apiVersion >= 11;
    const selecting = ctx.config.rackAwareReplicaSelector && followersServe && req.rackId !== "";
    const codeFor = (topic: string, p: FetchRequest["topics"][number]["partitions"][number]) => {
      const r = rm.replica(topic, p.partition);
      return !r
        ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        : r.role !== "leader" && !(followersServe && r.role === "follower")
          ? ErrorCode.NOT_LEADER_OR_FOLLOWER
          : p.currentLeaderEpoch > r.leaderEpoch
            ? ErrorCode.UNKNOWN_LEADER_EPOCH
            : p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < r.leaderEpoch
              ? ErrorCode.FENCED_LEADER_EPOCH
              : 0;
    };
    /** The in-sync replica in the consumer's rack this leader sends it to, or −1 to read here. */
    const preferredFor = (topic: string, partition: number): number => {
      if (!selecting) return -1;
      const r = rm.replica(topic, partition);
      const brokers = rm.image.brokers;
      if (r?.role !== "leader" || brokers[rm.nodeId]?.rack === req.rackId) return -1;
      let best = -1;
      for (const id of r.state.isr) {
        const b = brokers[id];
        if (id !== rm.nodeId && b && !b.fenced && b.rack === req.rackId && (best < 0 || id < best)) best = id;
      }
      return best;
    };
    // The usual case, every partition read here, allocates nothing before the fetch itself.
    let allHere = true;
    for (const t of req.topics) {
      for (const p of t.partitions) {
        if (codeFor(t.topic, p) !== 0 || preferredFor(t.topic, p.partition) >= 0) {
          allHere = false;
          break;
        }
      }
      if (!allHere) break;
    }
    if (allHere) return handleFetch(ctx, req);
    const notHere: Array<{ topic: string; part: FetchPartitionResponse }> = [];
    const topics = req.topics
      .map((t) => ({
        ...t,
        partitions: t.partitions.filter((p) => {
          const code = codeFor(t.topic, p);
          const preferred = code === 0 ? preferredFor(t.topic, p.partition) : -1;
          if (code === 0 && preferred < 0) return true;
          const log = code === 0 ? rm.replica(t.topic, p.partition)!.log : undefined;
          notHere.push({
            topic: t.topic,
            part: {
              partitionIndex: p.partition,
              errorCode: code,
              highWatermark: log ? log.highWatermark : -1,
              lastStableOffset: log ? log.highWatermark : -1,
              logStartOffset: log ? log.logStartOffset : -1,
              abortedTransactions: null,
              preferredReadReplica: preferred,
              // Never null: librdkafka rejects a record set of size −1.
              records: Buffer.alloc(0),
            },
          });
          return false;
        }),
      }))
      .filter((t) => t.partitions.length > 0);
    const merge = (r: FetchResponse): FetchResponse => {
      const responses = [...r.responses];
      for (const e of notHere) {
        let t = responses.find((x) => x.topic === e.topic);
        if (!t) {
          t = { topic: e.topic, partitions: [] };
          responses.push(t);
        }
        t.partitions.push(e.part);
      }
      return { ...r, responses };
    };
    void conn;
    // Errors and redirections are answered at once, with whatever the other partitions have.
    const here = handleFetch(ctx, { ...req, topics, maxWaitMs: 0 });
    return here instanceof Promise ? here.then(merge) : merge(here);
  };

  const listOffsets = (ctx: BrokerContext, req: ListOffsetsRequest): ListOffsetsResponse => {
    const base = handleListOffsets(ctx, req);
    for (const t of base.topics) {
      for (const p of t.partitions) {
        const r = rm.replica(t.name, p.partitionIndex);
        if (r && r.role !== "leader")
          Object.assign(p, { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, offset: -1 });
      }
    }
    return base;
  };

  const metadata = async (
    ctx: BrokerContext,
    req: MetadataRequest,
    header: RequestHeader,
  ): Promise<MetadataResponse> => {
    const all = req.topics === null || (header.apiVersion === 0 && req.topics.length === 0);
    const wanted = all ? Object.keys(rm.image.topics).sort() : req.topics!.map((t) => t.name);
    const missing = wanted.filter((n) => !rm.image.topics[n] && isValidTopicName(n));
    if (!all && missing.length > 0 && ctx.config.autoCreateTopics && req.allowAutoTopicCreation) {
      await createTopics(
        ctx,
        missing.map((name) => ({
          name,
          partitions: ctx.config.numPartitions,
          replicationFactor: ctx.config.defaultReplicationFactor,
          configs: {},
        })),
      ).catch(() => undefined);
    }
    const image = rm.image;
    const fenced = new Set(
      Object.values(image.brokers)
        .filter((b) => b.fenced)
        .map((b) => b.id),
    );
    const topics = wanted.map((name) => {
      const t = image.topics[name];
      if (!t) {
        const errorCode = isValidTopicName(name)
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : ErrorCode.INVALID_TOPIC_EXCEPTION;
        return { errorCode, name, isInternal: false, partitions: [] };
      }
      return {
        errorCode: 0,
        name,
        isInternal: name === OFFSETS_TOPIC,
        partitions: t.partitions.map((p, i) => ({
          errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : 0,
          partitionIndex: i,
          leaderId: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: p.replicas,
          isrNodes: p.isr,
          offlineReplicas: p.replicas.filter((b) => fenced.has(b) || !image.brokers[b]),
        })),
      };
    });
    return {
      throttleTimeMs: 0,
      brokers: Object.values(image.brokers)
        .filter((b) => !b.fenced)
        .map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: b.rack ?? null })),
      clusterId: ctx.config.clusterId,
      // Any broker forwards admin requests to the active controller (KIP-590), so name ourselves.
      controllerId: me,
      topics,
    };
  };

  const createTopicsHandler = async (
    ctx: BrokerContext,
    req: CreateTopicsRequest,
  ): Promise<CreateTopicsResponse> => {
    const local: Array<{ name: string; errorCode: number; errorMessage: string | null } | null> = [];
    const forward: CreateTopicRequest[] = [];
    for (const t of req.topics) {
      if (!isValidTopicName(t.name)) {
        local.push({
          name: t.name,
          errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
          errorMessage: "illegal topic name",
        });
        continue;
      }
      const given: Record<string, string> = {};
      for (const c of t.configs) if (c.value !== null) given[c.name] = c.value;
      const valid = validateTopicConfigs(given);
      if (!valid.ok) {
        local.push({ name: t.name, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: valid.message });
        continue;
      }
      const configs = valid.configs;
      const partitions = t.numPartitions === -1 ? ctx.config.numPartitions : t.numPartitions;
      if (t.assignments.length === 0 && (partitions < 1 || partitions > 10_000)) {
        local.push({
          name: t.name,
          errorCode: ErrorCode.INVALID_PARTITIONS,
          errorMessage: "bad partition count",
        });
        continue;
      }
      local.push(null);
      if (!req.validateOnly) {
        forward.push({
          name: t.name,
          partitions,
          replicationFactor: t.replicationFactor,
          assignments: t.assignments.map((a) => a.brokerIds),
          configs,
        });
      }
    }
    let results: Array<{ name: string; errorCode: number; errorMessage: string | null }> = [];
    if (forward.length > 0) {
      try {
        results = await createTopics(ctx, forward);
      } catch (e) {
        results = forward.map((f) => ({
          name: f.name,
          errorCode: ErrorCode.NOT_CONTROLLER,
          errorMessage: (e as Error).message,
        }));
      }
    }
    let i = 0;
    const topics = req.topics.map((t, k) => {
      const own = local[k];
      if (own) return own;
      const r = req.validateOnly ? { name: t.name, errorCode: 0, errorMessage: null } : results[i++]!;
      if (r.errorCode !== 0) return r;
      // v5+ answers what was created (or, validating only, what would be).
      const made = rm.image.topics[t.name];
      const given: Record<string, string> = {};
      for (const c of t.configs) if (c.value !== null) given[c.name] = c.value;
      const numPartitions =
        made && !req.validateOnly
          ? made.partitions.length
          : t.assignments.length || (t.numPartitions === -1 ? ctx.config.numPartitions : t.numPartitions);
      const replicationFactor =
        made && !req.validateOnly
          ? (made.partitions[0]?.replicas.length ?? -1)
          : (t.assignments[0]?.brokerIds.length ??
            (t.replicationFactor === -1 ? ctx.config.defaultReplicationFactor : t.replicationFactor));
      const configs = createdTopicConfigs(made && !req.validateOnly ? made.configs : given, ctx.config);
      return { ...r, numPartitions, replicationFactor, configs };
    });
    return { throttleTimeMs: 0, topics };
  };

  const deleteTopics = async (
    _ctx: BrokerContext,
    req: DeleteTopicsRequest,
  ): Promise<DeleteTopicsResponse> => {
    const r = await quorum.call<{ topics: Array<{ name: string; errorCode: number }> }>(
      "broker.deleteTopics",
      { names: req.topicNames },
      10_000,
    );
    const gone = r.topics.filter((t) => t.errorCode === 0).map((t) => t.name);
    await rm.waitForImage((i) => gone.every((n) => !i.topics[n]), 5000);
    return { throttleTimeMs: 0, responses: r.topics };
  };

  const findCoordinator = async (
    ctx: BrokerContext,
    req: FindCoordinatorRequest,
    header: RequestHeader,
  ): Promise<FindCoordinatorResponse> => {
    const id = req.keyType === 0 ? await coordinator(ctx) : -1;
    const b = rm.image.brokers[id];
    const answer = (key: string): Coordinator =>
      !b || b.fenced
        ? {
            key,
            errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
            errorMessage: null,
            nodeId: -1,
            host: "",
            port: -1,
          }
        : { key, errorCode: 0, errorMessage: null, nodeId: b.id, host: b.host, port: b.port };
    // v4+ batches keys (every group is coordinated by the same broker here).
    const coordinators = header.apiVersion >= 4 ? req.coordinatorKeys.map(answer) : [];
    return { throttleTimeMs: 0, ...answer(req.key), coordinators };
  };

  /** Served only by the coordinator once loaded; otherwise `refuse` answers with 16 or 14. */
  const group = <T>(h: Handler, refuse: (req: T, code: number) => Record<string, unknown>): Handler =>
    ((ctx, body, header, conn) => {
      const status = offsetsOf(ctx).status();
      if (status === "ready") return h(ctx, body, header, conn);
      const code = status === "loading" ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NOT_COORDINATOR;
      return refuse(body as T, code);
    }) as Handler;

  const offsetCommit = (ctx: BrokerContext, req: OffsetCommitRequest): Promise<OffsetCommitResponse> =>
    offsetsOf(ctx).commit(req);

  const deleteGroupsHandler = async (
    ctx: BrokerContext,
    req: DeleteGroupsRequest,
  ): Promise<DeleteGroupsResponse> => ({
    throttleTimeMs: 0,
    results: await offsetsOf(ctx).deleteGroups(req.groupsNames),
  });

  const h = <T>(
    f: (ctx: BrokerContext, req: T, header: RequestHeader, conn: Parameters<Handler>[3]) => unknown,
  ): Handler => f as unknown as Handler;

  return new Map<number, Handler>([
    ...clusterConfigHandlers(rm, quorum),
    ...clusterReassignmentHandlers(rm, quorum),
    clusterElectLeadersHandler(rm, quorum),
    [ApiKey.Produce, h(produce)],
    [ApiKey.Fetch, h(fetch)],
    [ApiKey.ListOffsets, h(listOffsets)],
    [ApiKey.Metadata, h(metadata)],
    [ApiKey.CreateTopics, h(createTopicsHandler)],
    [ApiKey.DeleteTopics, h(deleteTopics)],
    [ApiKey.FindCoordinator, h(findCoordinator)],
    [
      ApiKey.OffsetsForLeaderEpoch,
      h((_ctx, req: OffsetsForLeaderEpochRequest) => rm.handleOffsetsForLeaderEpoch(req)),
    ],
    [
      ApiKey.JoinGroup,
      group(h(handleJoinGroup), (_req, code) => ({
        throttleTimeMs: 0,
        errorCode: code,
        generationId: -1,
        protocolName: "",
        leader: "",
        memberId: "",
        members: [],
      })),
    ],
    [
      ApiKey.SyncGroup,
      group(h(handleSyncGroup), (_req, code) => ({
        throttleTimeMs: 0,
        errorCode: code,
        assignment: Buffer.alloc(0),
      })),
    ],
    [ApiKey.Heartbeat, group(h(handleHeartbeat), (_req, code) => ({ throttleTimeMs: 0, errorCode: code }))],
    [
      ApiKey.LeaveGroup,
      group(h(handleLeaveGroup), (_req, code) => ({ throttleTimeMs: 0, errorCode: code, members: [] })),
    ],
    [
      ApiKey.OffsetCommit,
      group(h(offsetCommit), (req: OffsetCommitRequest, code) => ({
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
        })),
      })),
    ],
    [
      ApiKey.DescribeGroups,
      group(h(handleDescribeGroups), (req: DescribeGroupsRequest, code) => ({
        throttleTimeMs: 0,
        groups: req.groups.map((groupId) => ({
          errorCode: code,
          groupId,
          groupState: "",
          protocolType: "",
          protocolData: "",
          members: [],
        })),
      })),
    ],
    // Clients ask every broker and merge: one that coordinates nothing lists nothing.
    [
      ApiKey.ListGroups,
      group(h(handleListGroups), (_req, code) => ({
        throttleTimeMs: 0,
        errorCode: code === ErrorCode.NOT_COORDINATOR ? 0 : code,
        groups: [],
      })),
    ],
    [
      ApiKey.DeleteGroups,
      group(h(deleteGroupsHandler), (req: DeleteGroupsRequest, code) => ({
        throttleTimeMs: 0,
        results: req.groupsNames.map((groupId) => ({ groupId, errorCode: code })),
      })),
    ],
    [
      ApiKey.OffsetFetch,
      group(h(handleOffsetFetch), (req: OffsetFetchRequest, code) => {
        const notHere = (topics: OffsetFetchRequest["topics"]) =>
          (topics ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((i) => ({
              partitionIndex: i,
              committedOffset: -1,
              metadata: null,
              errorCode: code,
            })),
          }));
        return {
          throttleTimeMs: 0,
          errorCode: code,
          topics: notHere(req.topics),
          // v8+: per group.
          groups: req.groups.map((g) => ({ groupId: g.groupId, topics: notHere(g.topics), errorCode: code })),
        };
      }),
    ],
  ]);
}
