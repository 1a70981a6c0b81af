/**
 * The results.json contract (schemaVersion 1). Other tools read this file, so changes are
 * additive only. Times are milliseconds unless a field says otherwise; `t` columns in the series
 * are seconds since the load started.
 */

import type { DistributedSummary } from "../remote/remote-load.ts";

export interface Percentiles {
  /** Number of samples in the histogram. */
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Latency as measured from the actual send (uncorrected) plus `corrected`, from the intended send time. */
export interface LatencyStats extends Percentiles {
  corrected: Percentiles;
}

export interface Delivery {
  /** Messages the producers tried to send. */
  attempted: number;
  /** Messages the engine confirmed. */
  acked: number;
  /** Messages the engine definitely refused (e.g. HTTP 503). */
  failed: number;
  /** Messages whose outcome is unknown (timeout, connection reset mid-request). */
  indeterminate: number;
  /** Distinct attempted messages that reached a consumer at least once. */
  delivered: number;
  /** Acked but never delivered. */
  lost: number;
  /** Distinct messages delivered more than once. */
  duplicated: number;
  /** Extra copies delivered beyond the first, summed over all messages. */
  duplicateDeliveries: number;
  /** Deliveries of messages that were never attempted, or that could not be parsed. */
  unexpected: number;
  /** Indeterminate sends that were delivered after all. */
  recovered: number;
  /** Definitely failed sends that were delivered anyway (a partial commit upstream). */
  failedButDelivered: number;
  /** Added (additive): delivered bodies whose checksum did not match (they count as no delivery). */
  corrupted?: number;
}

export interface FaultResult {
  name: string;
  kind: string;
  target: string;
  /** When the fault started and ended (healed), ms since the load started. */
  startMs: number;
  endMs: number;
  /**
   * Whether the fault really happened: its first step (the kill, pause, toxic, partition …) succeeded.
   * A fault that was not applied has no figures (null) and, unless the scenario marks it
   * `optional`, makes the run errored.
   */
  applied: boolean;
  /** Why the fault was not applied. */
  error?: string;
  /** The scenario said `optional: true`: not applying it does not break the run. */
  optional?: boolean;
  /** Other faults whose windows overlap this one's (they share an incident). */
  overlapsWith: string[];
  /** Index into `incidents` of the incident this fault belongs to (null when not applied). */
  incident: number | null;
  /**
   * Longest run of 100 ms buckets whose ack rate was below 50% of the baseline (the pre-fault mean,
   * or the offered rate without one), from the fault's start until acks were back after its heal,
   * before any later fault began. Null when not applied, or when an earlier fault that was still
   * active had already shown trouble (the incident carries the figure then).
   */
  unavailableMs: number | null;
  /** The old figure: the longest gap between two acks from the fault's start to the first ack after its heal. */
  maxAckGapMs: number | null;
  /** Kill/restart with a restart: from the restart command until the new process was ready (replay, log recovery). */
  restartMs: number | null;
  /**
   * Added (additive), `reassign` only: from the reassignment request until every moved partition
   * had its target replicas (the fault's window); null when the move did not complete.
   */
  moveMs?: number | null;
  /** The fault-free stretch whose mean rates are the recovery baseline; null when there was none. */
  baseline: { fromMs: number; toMs: number; ackedPerSec: number; deliveredPerSec: number } | null;
  /** Acked, never delivered, and charged to this fault by the loss-attribution rule (README). */
  lost: number;
  /**
   * Added (additive), log only: offsets read by a consumer and then truncated and re-used by a
   * later leader epoch, charged to this fault (checkers/loss-attribution.ts, truncation rule).
   */
  truncatedRewritten?: number;
  /** End-to-end and publish-attempt latency of the messages intended before, during and after the fault. */
  latency: PhaseLatency;
  /** For each figure that is null although the fault was applied: why. */
  nullReasons?: Record<string, string>;
  /**
   * From the heal until acked and delivered throughput were back to ≥ 90% of the pre-fault mean
   * for 3 s; null when that did not happen within the load window, or when the fault started in
   * the first second (no pre-fault mean to compare with).
   */
  recoveryMs: number | null;
  /** From the fault's start to the first send that failed or timed out after it; null if none did. */
  detectMs: number | null;
  /** From the heal until acked throughput was back (≥ 90% of the pre-fault mean for 3 s). */
  ackRecoveryMs: number | null;
  /** The same for delivered throughput. `recoveryMs` is the later of the two. */
  deliveryRecoveryMs: number | null;
  /** From the heal until every message acked before the heal (and delivered at all) had arrived. */
  backlogDrainedMs: number | null;
  /** Loss and duplicates among messages sent between the fault's start and its heal… */
  inWindow: { sent: number; lost: number; duplicated: number };
  /** …and among all the others. */
  outsideWindow: { sent: number; lost: number; duplicated: number };
}

/** p50/p99/max (ms) of one stretch; null when nothing was measured in it. */
export interface Tail {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface StretchLatency {
  /** Corrected end-to-end latency of the messages intended in the stretch. */
  endToEnd: Tail | null;
  /** Corrected publish-attempt latency (intended time to ok, fail or info) of those messages. */
  publishAttempts: Tail | null;
}

/**
 * Before: the baseline stretch; during: from the fault's start to its heal; after: the 3 s after
 * the heal (the recovery hold), clipped to the load. Keyed by each message's intended send time.
 */
export interface PhaseLatency {
  before: StretchLatency | null;
  during: StretchLatency;
  after: StretchLatency | null;
}

/** Faults whose windows overlap, as one event: the union of their windows. */
export interface IncidentResult {
  faults: string[];
  startMs: number;
  endMs: number;
  detectMs: number | null;
  unavailableMs: number | null;
  maxAckGapMs: number;
  recoveryMs: number | null;
  /** Lost messages charged to the incident's faults. */
  lost: number;
  /** Added (additive), log only: truncated-then-rewritten reads charged to the incident's faults. */
  truncatedRewritten?: number;
  /** Messages whose second copy arrived during the incident or after it, before the next one began. */
  duplicated: number;
  latency: PhaseLatency;
  baseline: FaultResult["baseline"];
  nullReasons?: Record<string, string>;
}

export type Validity = true | false | "unknown";

export interface Check {
  name: string;
  valid: Validity;
  detail: string;
}

export interface SeriesRow {
  /** Second since the load started (the row covers [t, t+1)). */
  t: number;
  offered: number;
  sent: number;
  acked: number;
  failed: number;
  indeterminate: number;
  delivered: number;
  /** Per-second corrected end-to-end latency of the messages delivered in this second (ms). */
  e2eP50: number | null;
  e2eP99: number | null;
  e2eMax: number | null;
  /** Per-second publish latency (ms, from the actual send) of the batches acked in this second. */
  publishP50: number | null;
  publishP99: number | null;
  /** Added (additive), the other flavours: publish latency corrected (from the intended time)… */
  publishCorrectedP50?: number | null;
  publishCorrectedP99?: number | null;
  /** …end-to-end uncorrected (from the actual send)… */
  e2eUncorrectedP50?: number | null;
  e2eUncorrectedP99?: number | null;
  /** …and every publish attempt of the second (by outcome time), corrected. */
  attemptsCorrectedP50?: number | null;
  attemptsCorrectedP99?: number | null;
  /** At the end of the second: messages acked but not yet delivered (channel backlog, consumer lag). */
  backlog: number;
}

/** One point of an HDR percentile curve: the latency (ms) at `percentile` (0..100). */
export interface PercentilePoint {
  percentile: number;
  ms: number;
}

/** A latency's percentile curve, log-spaced towards the tail, from the actual and the intended send. */
export interface LatencyDistribution {
  uncorrected: PercentilePoint[];
  corrected: PercentilePoint[];
}

/** One second of a node's channel, from the sampler (the peak sample of that second). */
export interface ChannelFillPoint {
  /** Second since the load started. */
  t: number;
  /** Events in the channel(s). */
  size: number;
  /** Fill, 0..100. */
  fillPct: number;
}

/** Per-node series sampled from the node itself; a node appears only if it was sampled. */
export interface NodeSeries {
  channelFill: ChannelFillPoint[];
}

export interface Environment {
  node: string;
  os: string;
  cpu: string;
  cpus: number;
  memoryGiB: number;
  gitCommit: string | null;
  faultbench: string;
}

export type RunStatus = "passed" | "failed" | "errored";

export interface Results {
  schemaVersion: 1;
  scenario: string;
  description: string;
  engine: string;
  seed: number;
  status: RunStatus;
  /** Present when status is errored: what broke the run. */
  error?: { code: string; message: string };
  startedAt: string;
  environment: Environment;
  /** The phases of the load, ms since it started. */
  window: { warmupMs: number; measureStartMs: number; measureEndMs: number; drainedAtMs: number };
  throughput: { offeredPerSec: number; sentPerSec: number; ackedPerSec: number; deliveredPerSec: number };
  latency: {
    publish: LatencyStats;
    endToEnd: LatencyStats;
    /**
     * Added (additive): every send attempt, from its send (uncorrected) or intended time (corrected)
     * to its outcome — ok, fail, or info when it was given up — so an outage that answers fast
     * with errors or times out stays in the distribution (as wrk2 counts timeouts).
     */
    publishAttempts?: LatencyStats;
    /** Added after schemaVersion 1 shipped (additive): the full percentile curves. */
    distribution?: { publish: LatencyDistribution; endToEnd: LatencyDistribution };
  };
  delivery: Delivery;
  faults: FaultResult[];
  /** Added (additive): overlapping faults grouped, with the figures that cannot be split between them. */
  incidents?: IncidentResult[];
  /** Added (additive): how lost messages were charged to faults, and how many no fault could have destroyed. */
  lossAttribution?: {
    rule: string;
    unattributed: number;
    /** Added (additive), log only: how truncated-then-rewritten reads were charged to faults. */
    truncations?: { rule: string; unattributed: number };
  };
  checks: Check[];
  series: SeriesRow[];
  /** Messages delivered at each consumer-side node (collector or consumer); every copy counts. */
  deliveredBy: Record<string, number>;
  /**
   * Kafka-protocol targets: the consumer group's events as the consumers' client reported them
   * (metrics/consumer-group.ts), each with the consumer's delivery pause around it. Absent when no
   * consumer reported any (and in older results).
   */
  consumerGroup?: ConsumerGroupEventRow[];
  /** Log engine: per-partition order of what the consumers read. */
  order?: {
    partitions: number;
    inconsistentOffsets: number;
    /**
     * Added (additive): offsets whose message of one leader epoch was truncated and re-used by a
     * later epoch (checkers/offset-epochs.ts) — the acks=1 / unclean-election loss, not a bug.
     */
    truncatedRewritten?: number;
    reordered: number;
    gaps: number;
    rewinds: number;
    /**
     * Added (additive), Jepsen's names (checkers/order-anomalies.ts): `nonmonotonicSend` is
     * `reordered`, `nonmonotonicPoll` is `rewinds`, kept under both names.
     */
    lostWrite?: number;
    unseen?: number;
    duplicate?: number;
    pollSkip?: number;
    nonmonotonicPoll?: number;
    nonmonotonicSend?: number;
  };
  /**
   * Added (additive), replicated log only: partition leadership at the end of the run (a running
   * broker's Metadata just before the nodes stop), to see whether leaderships moved by faults
   * came back to their preferred replicas (`auto.leader.rebalance.enable`).
   */
  leadership?: Leadership;
  /** Added after schemaVersion 1 shipped (additive): per-node sampled series, by node name. */
  nodes?: Record<string, NodeSeries>;
  /**
   * Added after schemaVersion 1 shipped (additive): the latency histograms themselves, in
   * hdr-histogram-js's compressed base64 form (µs), so repeats can be merged and compared.
   */
  histograms?: { publish: EncodedLatency; endToEnd: EncodedLatency };
  /** Added after schemaVersion 1 shipped (additive): CPU per process, per second and in total. */
  resources?: Resources;
  /** Added (additive): the load path, not the engine, was the bottleneck; see resources.reasons. */
  harnessBound?: boolean;
  /** Added (additive): the run's load came from remote workers (`run --workers`); see harness/remote. */
  distributed?: DistributedSummary;
}

export interface Leadership {
  topic: string;
  partitions: number;
  /** Partitions each broker leads, by broker name (0 for a broker that leads none). */
  byBroker: Record<string, number>;
  /** The most and the fewest partitions one broker leads. */
  maxPerBroker: number;
  minPerBroker: number;
  /** Partitions not led by their preferred replica (the first of the assignment), offline ones included. */
  notPreferred: number;
  /** Partitions without a leader. */
  offline: number;
}

/** One latency's HDR histograms, compressed base64, from the actual and from the intended send. */
export interface EncodedLatency {
  uncorrected: string;
  corrected: string;
}

/** CPU of one process of the run, from /proc (added after schemaVersion 1 shipped, additive). */
export interface ProcessCpu {
  name: string;
  /** harness (the orchestrator and in-process producers), client (consumers, load workers), proxy, engine. */
  role: "harness" | "client" | "proxy" | "engine";
  /** CPU seconds used while sampled (the whole load and drain). */
  cpuSeconds: number;
  /** Mean cores used during the measured window (1 = one core busy all the time). */
  meanCores: number;
  /** The busiest second of the measured window, in cores. */
  peakCores: number;
}

/** One second of CPU use, in cores, summed by role; `machine` is every process on the host. */
export interface ResourceRow {
  t: number;
  harness: number;
  clients: number;
  proxy: number;
  engines: number;
  machine: number | null;
}

/** CPU used by the harness, the clients, the proxy and the engine nodes (additive). */
export interface Resources {
  /** Logical CPUs of the machine. */
  cores: number;
  processes: ProcessCpu[];
  series: ResourceRow[];
  /** Mean busy share of the whole machine in the measured window, 0..100 (other users included). */
  machineBusyPct: number | null;
  /** Whether the load path (harness, clients, proxy) saturated before the engine; see `reasons`. */
  harnessBound: boolean;
  /** Why the run is (or is not) load-path bound, in words. */
  reasons: string[];
  /** Observations that did not make the run load-path bound (e.g. the engine pushed back). */
  notes: string[];
}

/** One consumer group event of a run (see `Results.consumerGroup`). */
export interface ConsumerGroupEventRow {
  /** ms since the load began. */
  atMs: number;
  node: string;
  event: "join" | "rebalancing" | "crash" | "request-timeout";
  /** join: the client's JoinGroup + SyncGroup round, ms. */
  durationMs?: number;
  leader?: boolean;
  partitions?: number[];
  error?: string;
  restart?: boolean;
  /** ms since this consumer's previous delivery (null: none before). */
  quietBeforeMs: number | null;
  /** ms until this consumer's next delivery (null: none after). */
  quietAfterMs: number | null;
}
