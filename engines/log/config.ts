/**
 * Broker configuration: Kafka's own key names (`--set key=value`), validated and defaulted in one
 * place. Unknown keys are rejected with FB_CONFIG_INVALID so a typo in a scenario cannot silently
 * run with defaults. Topic-level log keys (`segment.bytes`, `flush.ms`, ...) are accepted as
 * shorthands for the broker-wide `log.*` defaults.
 */

import { FaultbenchError } from "../../lib/errors.ts";
import {
  defaultLogConfig,
  type LogConfig,
  type NumericLogField,
  parseCleanupPolicy,
  parseConfigNumber,
  parseRatio,
} from "./storage/log-config.ts";

export interface BrokerConfig {
  clusterId: string;
  autoCreateTopics: boolean;
  numPartitions: number;
  defaultReplicationFactor: number;
  minInsyncReplicas: number;
  log: LogConfig;
  retentionCheckIntervalMs: number;
  /** How often the log cleaner looks for partitions to compact (Kafka's log.cleaner.backoff.ms). */
  cleanerBackoffMs: number;
  /** segment.bytes of `__consumer_offsets` when a cluster creates it. */
  offsetsTopicSegmentBytes: number;
  socketRequestMaxBytes: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  /** Cluster mode (replication/, controller/): see engines/log/README.md. */
  brokerSessionTimeoutMs: number;
  brokerHeartbeatIntervalMs: number;
  controllerElectionTimeoutMs: number;
  uncleanLeaderElection: boolean;
  /** Preferred-leader rebalance by the active controller (controller/leader-balance.ts). */
  autoLeaderRebalance: boolean;
  leaderImbalanceCheckIntervalSeconds: number;
  leaderImbalancePerBrokerPercentage: number;
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  offsetsTopicReplicationFactor: number;
  offsetsCommitTimeoutMs: number;
  metadataSnapshotMaxRecords: number;
  metadataSnapshotMaxBytes: number;
  /** This broker's rack (KIP-36): in Metadata, and matched against consumers' rack ids. */
  brokerRack: string | null;
  /** replica.selector.class is the rack-aware selector: leaders send consumers to a replica in their rack (KIP-392). */
  rackAwareReplicaSelector: boolean;
}

/** Kafka's class name for the rack-aware replica selector, the one `replica.selector.class` knows. */
export const RACK_AWARE_SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

type Setter = (c: BrokerConfig, v: string, key: string) => void;

const num: (f: (c: BrokerConfig, n: number) => void) => Setter = (f) => (c, v, k) =>
  f(c, parseConfigNumber(k, v));
const logKey = (field: NumericLogField): Setter => num((c, n) => (c.log[field] = n));

/** Runs a parser, naming the config key in its error. */
function withKey<T>(key: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new Error(`config ${key}: ${(e as Error).message}`);
  }
}

const bool: (f: (c: BrokerConfig, b: boolean) => void) => Setter = (f) => (c, v, k) => {
  if (v !== "true" && v !== "false") throw new Error(`config ${k}: expected true or false, got ${v}`);
  f(c, v === "true");
};

export const brokerConfigKeys: Record<string, Setter> = {
  "cluster.id": (c, v) => (c.clusterId = v),
  "auto.create.topics.enable": bool((c, b) => (c.autoCreateTopics = b)),
  "num.partitions": num((c, n) => (c.numPartitions = n)),
  "default.replication.factor": num((c, n) => (c.defaultReplicationFactor = n)),
  "min.insync.replicas": num((c, n) => (c.minInsyncReplicas = n)),
  "log.segment.bytes": logKey("segmentBytes"),
  "log.retention.bytes": logKey("retentionBytes"),
  "log.retention.ms": logKey("retentionMs"),
  "log.index.interval.bytes": logKey("indexIntervalBytes"),
  "log.flush.interval.messages": logKey("flushMessages"),
  "log.flush.interval.ms": logKey("flushMs"),
  "message.max.bytes": logKey("maxMessageBytes"),
  "segment.bytes": logKey("segmentBytes"),
  "retention.bytes": logKey("retentionBytes"),
  "retention.ms": logKey("retentionMs"),
  "index.interval.bytes": logKey("indexIntervalBytes"),
  "flush.messages": logKey("flushMessages"),
  "flush.ms": logKey("flushMs"),
  "log.roll.ms": logKey("segmentMs"),
  "segment.ms": logKey("segmentMs"),
  "log.cleanup.policy": (c, v, k) => {
    c.log.cleanupPolicy = withKey(k, () => parseCleanupPolicy(v));
  },
  "cleanup.policy": (c, v, k) => {
    c.log.cleanupPolicy = withKey(k, () => parseCleanupPolicy(v));
  },
  "log.cleaner.min.cleanable.ratio": (c, v, k) => {
    c.log.minCleanableDirtyRatio = withKey(k, () => parseRatio(v));
  },
  "min.cleanable.dirty.ratio": (c, v, k) => {
    c.log.minCleanableDirtyRatio = withKey(k, () => parseRatio(v));
  },
  "log.cleaner.delete.retention.ms": logKey("deleteRetentionMs"),
  "delete.retention.ms": logKey("deleteRetentionMs"),
  "log.cleaner.backoff.ms": num((c, n) => (c.cleanerBackoffMs = n)),
  "offsets.topic.segment.bytes": num((c, n) => (c.offsetsTopicSegmentBytes = n)),
  "log.retention.check.interval.ms": num((c, n) => (c.retentionCheckIntervalMs = n)),
  "socket.request.max.bytes": num((c, n) => (c.socketRequestMaxBytes = n)),
  "group.initial.rebalance.delay.ms": num((c, n) => (c.groupInitialRebalanceDelayMs = n)),
  "group.min.session.timeout.ms": num((c, n) => (c.groupMinSessionTimeoutMs = n)),
  "group.max.session.timeout.ms": num((c, n) => (c.groupMaxSessionTimeoutMs = n)),
  "broker.session.timeout.ms": num((c, n) => (c.brokerSessionTimeoutMs = n)),
  "broker.heartbeat.interval.ms": num((c, n) => (c.brokerHeartbeatIntervalMs = n)),
  "controller.quorum.election.timeout.ms": num((c, n) => (c.controllerElectionTimeoutMs = n)),
  "unclean.leader.election.enable": bool((c, b) => (c.uncleanLeaderElection = b)),
  "auto.leader.rebalance.enable": bool((c, b) => (c.autoLeaderRebalance = b)),
  "leader.imbalance.check.interval.seconds": num((c, n) => (c.leaderImbalanceCheckIntervalSeconds = n)),
  "leader.imbalance.per.broker.percentage": num((c, n) => (c.leaderImbalancePerBrokerPercentage = n)),
  "replica.lag.time.max.ms": num((c, n) => (c.replicaLagTimeMaxMs = n)),
  "replica.fetch.wait.max.ms": num((c, n) => (c.replicaFetchWaitMaxMs = n)),
  "offsets.topic.replication.factor": num((c, n) => (c.offsetsTopicReplicationFactor = n)),
  "offsets.commit.timeout.ms": num((c, n) => (c.offsetsCommitTimeoutMs = n)),
  "metadata.log.max.records.between.snapshots": num((c, n) => (c.metadataSnapshotMaxRecords = n)),
  "metadata.log.max.record.bytes.between.snapshots": num((c, n) => (c.metadataSnapshotMaxBytes = n)),
  "broker.rack": (c, v) => (c.brokerRack = v === "" ? null : v),
  "replica.selector.class": (c, v, k) => {
    if (v !== "" && v !== RACK_AWARE_SELECTOR && v !== "RackAwareReplicaSelector")
      throw new Error(
        `config ${k}: only ${RACK_AWARE_SELECTOR} is known (empty: consumers read from leaders), got ${v}`,
      );
    c.rackAwareReplicaSelector = v !== "";
  },
};

export function defaultBrokerConfig(): BrokerConfig {
  return {
    clusterId: "faultbench",
    autoCreateTopics: true,
    numPartitions: 1,
    defaultReplicationFactor: 1,
    minInsyncReplicas: 1,
    log: { ...defaultLogConfig },
    retentionCheckIntervalMs: 300_000,
    cleanerBackoffMs: 15_000,
    offsetsTopicSegmentBytes: 1024 * 1024,
    socketRequestMaxBytes: 104_857_600,
    groupInitialRebalanceDelayMs: 3000,
    groupMinSessionTimeoutMs: 6000,
    groupMaxSessionTimeoutMs: 1_800_000,
    brokerSessionTimeoutMs: 9000,
    brokerHeartbeatIntervalMs: 2000,
    controllerElectionTimeoutMs: 1000,
    uncleanLeaderElection: false,
    autoLeaderRebalance: true,
    leaderImbalanceCheckIntervalSeconds: 300,
    leaderImbalancePerBrokerPercentage: 10,
    replicaLagTimeMaxMs: 30_000,
    replicaFetchWaitMaxMs: 500,
    offsetsTopicReplicationFactor: 3,
    offsetsCommitTimeoutMs: 5000,
    metadataSnapshotMaxRecords: 10_000,
    metadataSnapshotMaxBytes: 4 * 1024 * 1024,
    brokerRack: null,
    rackAwareReplicaSelector: false,
  };
}

/** Builds the broker config from `key=value` overrides; every problem is listed at once. */
export function parseBrokerConfig(overrides: Record<string, string> = {}): BrokerConfig {
  const c = defaultBrokerConfig();
  const problems: string[] = [];
  for (const [k, v] of Object.entries(overrides)) {
    const set = brokerConfigKeys[k];
    if (!set) {
      problems.push(`unknown config key ${k}`);
      continue;
    }
    try {
      set(c, v, k);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (c.numPartitions < 1) problems.push("num.partitions must be at least 1");
  if (c.log.segmentBytes < 128) problems.push("segment.bytes must be at least 128");
  if (c.offsetsTopicSegmentBytes < 128) problems.push("offsets.topic.segment.bytes must be at least 128");
  if (c.log.segmentMs < 1) problems.push("log.roll.ms must be at least 1");
  if (c.cleanerBackoffMs < 1) problems.push("log.cleaner.backoff.ms must be at least 1");
  if (c.log.deleteRetentionMs < 0) problems.push("log.cleaner.delete.retention.ms must be at least 0");
  if (c.metadataSnapshotMaxRecords < 1)
    problems.push("metadata.log.max.records.between.snapshots must be at least 1");
  if (c.metadataSnapshotMaxBytes < 1)
    problems.push("metadata.log.max.record.bytes.between.snapshots must be at least 1");
  if (c.leaderImbalanceCheckIntervalSeconds < 1 || c.leaderImbalanceCheckIntervalSeconds > 86_400)
    problems.push("leader.imbalance.check.interval.seconds must be between 1 and 86400 (seconds)");
  if (c.leaderImbalancePerBrokerPercentage < 0 || c.leaderImbalancePerBrokerPercentage > 100)
    problems.push("leader.imbalance.per.broker.percentage must be between 0 and 100");
  if (c.groupMinSessionTimeoutMs > c.groupMaxSessionTimeoutMs) {
    problems.push("group.min.session.timeout.ms exceeds group.max.session.timeout.ms");
  }
  if (problems.length > 0) {
    throw new FaultbenchError("FB_CONFIG_INVALID", `invalid log broker config: ${problems.join("; ")}`, {
      context: { problems },
    });
  }
  return c;
}

const text = (n: number) => (n === Number.POSITIVE_INFINITY ? "9223372036854775807" : String(n));

/** Effective value of every broker-wide key (DescribeConfigs for a broker), topic shorthands left out. */
export function brokerConfigValues(c: BrokerConfig): Record<string, string> {
  return {
    "cluster.id": c.clusterId,
    "auto.create.topics.enable": String(c.autoCreateTopics),
    "num.partitions": text(c.numPartitions),
    "default.replication.factor": text(c.defaultReplicationFactor),
    "min.insync.replicas": text(c.minInsyncReplicas),
    "log.segment.bytes": text(c.log.segmentBytes),
    "log.retention.bytes": text(c.log.retentionBytes),
    "log.retention.ms": text(c.log.retentionMs),
    "log.index.interval.bytes": text(c.log.indexIntervalBytes),
    "log.flush.interval.messages": text(c.log.flushMessages),
    "log.flush.interval.ms": text(c.log.flushMs),
    "message.max.bytes": text(c.log.maxMessageBytes),
    "log.roll.ms": text(c.log.segmentMs),
    "log.cleanup.policy": c.log.cleanupPolicy,
    "log.cleaner.min.cleanable.ratio": String(c.log.minCleanableDirtyRatio),
    "log.cleaner.delete.retention.ms": text(c.log.deleteRetentionMs),
    "log.cleaner.backoff.ms": text(c.cleanerBackoffMs),
    "offsets.topic.segment.bytes": text(c.offsetsTopicSegmentBytes),
    "log.retention.check.interval.ms": text(c.retentionCheckIntervalMs),
    "socket.request.max.bytes": text(c.socketRequestMaxBytes),
    "group.initial.rebalance.delay.ms": text(c.groupInitialRebalanceDelayMs),
    "group.min.session.timeout.ms": text(c.groupMinSessionTimeoutMs),
    "group.max.session.timeout.ms": text(c.groupMaxSessionTimeoutMs),
    "broker.session.timeout.ms": text(c.brokerSessionTimeoutMs),
    "broker.heartbeat.interval.ms": text(c.brokerHeartbeatIntervalMs),
    "controller.quorum.election.timeout.ms": text(c.controllerElectionTimeoutMs),
    "unclean.leader.election.enable": String(c.uncleanLeaderElection),
    "auto.leader.rebalance.enable": String(c.autoLeaderRebalance),
    "leader.imbalance.check.interval.seconds": text(c.leaderImbalanceCheckIntervalSeconds),
    "leader.imbalance.per.broker.percentage": text(c.leaderImbalancePerBrokerPercentage),
    "replica.lag.time.max.ms": text(c.replicaLagTimeMaxMs),
    "replica.fetch.wait.max.ms": text(c.replicaFetchWaitMaxMs),
    "offsets.topic.replication.factor": text(c.offsetsTopicReplicationFactor),
    "offsets.commit.timeout.ms": text(c.offsetsCommitTimeoutMs),
    "metadata.log.max.records.between.snapshots": text(c.metadataSnapshotMaxRecords),
    "metadata.log.max.record.bytes.between.snapshots": text(c.metadataSnapshotMaxBytes),
    "replica.selector.class": c.rackAwareReplicaSelector ? RACK_AWARE_SELECTOR : "",
    ...(c.brokerRack !== null ? { "broker.rack": c.brokerRack } : {}),
  };
}
