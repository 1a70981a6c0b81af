/**
 * The history: every client, consumer, nemesis and supervisor event of a run, one JSON object per
 * line (Jepsen's model). Sends and deliveries are recorded per batch as id ranges of one producer
 * (`from`..`to` inclusive), so ten million messages stay a few hundred thousand lines. A send that
 * is one partition's share of a keyed batch is not a contiguous range: it lists its ids (`seqs`). `t` is µs
 * since the load started (negative during setup). A send's `invoke` is answered by `ok`, `fail`
 * (definitely not accepted) or `info` (outcome unknown, e.g. a timeout); an invoke with no answer
 * counts as `info`.
 */

export type OpType = "invoke" | "ok" | "fail" | "info";

export interface StartOp {
  t: number;
  process: "harness";
  type: "info";
  f: "start";
  schemaVersion: 1;
  scenario: string;
  seed: number;
  /** Wall-clock time of t = 0, ISO 8601. */
  epoch: string;
  /** The generator that planned the intended send times (harness/generator/version.ts); absent in older histories. */
  generatorVersion?: number;
}

export interface PhaseOp {
  t: number;
  process: "harness";
  type: "info";
  f: "phase";
  phase: "warmup" | "measure" | "drain" | "done";
}

export interface SendOp {
  t: number;
  process: string;
  type: OpType;
  f: "send";
  /** Request id, unique within the run; pairs an invoke with its completion. */
  req: number;
  producer: number;
  from: number;
  to: number;
  /**
   * The ids this send covers when they are not the whole range `from`..`to` (one partition's share
   * of a keyed batch), ascending; `from` and `to` are then its first and last. Absent in older
   * histories and for contiguous sends.
   */
  seqs?: number[];
  error?: string;
}

export interface DeliverOp {
  t: number;
  process: string;
  type: "ok";
  f: "deliver";
  producer: number;
  from: number;
  to: number;
  /** Which consumer-side node received it (collector name, or consumer id). */
  node?: string;
  partition?: number;
  offset?: number;
  /**
   * The leader epoch stamped on the record batch the run was read from (a run never spans two
   * batches of different epochs); absent in older histories and when the client does not expose it.
   */
  epoch?: number;
}

export interface UnparsedDeliverOp {
  t: number;
  process: string;
  type: "ok";
  f: "deliver-unparsed";
  count: number;
  sample: string;
  /** The bodies were faultbench's, but their checksum did not match: corrupted, not unexpected. */
  corrupt?: boolean;
}

export type NemesisF =
  | "kill"
  | "pause"
  | "resume"
  | "stop"
  | "start"
  | "slow"
  | "fast"
  | "toxic"
  | "untoxic"
  | "disable"
  | "enable"
  | "partition"
  /** reassign: the move was requested; reassigned: it completed. */
  | "reassign"
  | "reassigned"
  | "heal";

export interface NemesisOp {
  t: number;
  process: "nemesis";
  type: OpType;
  f: NemesisF;
  fault: string;
  node: string;
  /** The fault's kind as written in the scenario (kill, pause, restart, slow). */
  kind: string;
  error?: string;
}

export interface NodeExitOp {
  t: number;
  process: "supervisor";
  type: "info";
  f: "exit";
  node: string;
  code: number | null;
  signal: string | null;
  /** Whether a nemesis or the harness asked for it. */
  expected: boolean;
}

/**
 * A sample of a node's own gauges (an agent's channel, from its `GET /metrics`), taken about once
 * per second while the node runs. Purely observational: no checker reads it.
 */
export interface SampleOp {
  t: number;
  process: "sampler";
  type: "info";
  f: "sample";
  node: string;
  metrics: {
    /** Events in the node's channels (summed over its channels). */
    channelSize: number;
    /** Size over capacity, 0..100 (over all of its channels). */
    channelFillPercentage: number;
  };
}

/**
 * A consumer group event the consumer's client reported (kafkajs's instrumentation events): a
 * completed join (`join`, with how long the JoinGroup/SyncGroup round took and the partitions it
 * got), the client noticing a rebalance and stopping to rejoin (`rebalancing`), a crash that
 * restarts the consumer (`crash`), a request that timed out (`request-timeout`). Observational:
 * it lets a report tell a pause the client's group protocol caused from one the engine caused.
 */
export interface ConsumerGroupOp {
  t: number;
  process: string;
  type: "info";
  f: "group";
  node: string;
  event: "join" | "rebalancing" | "crash" | "request-timeout";
  memberId?: string;
  leader?: boolean;
  /** join: the client's JoinGroup + SyncGroup round, ms. */
  durationMs?: number;
  partitions?: number[];
  /** crash / request-timeout: what failed (error type or API name). */
  error?: string;
  /** crash: whether the client restarts the consumer. */
  restart?: boolean;
}

/** A remote load worker stopped answering (harness/remote): its slice's unseen sends follow as `info`. */
export interface WorkerLostOp {
  t: number;
  process: "coordinator";
  type: "info";
  f: "worker-lost";
  worker: string;
  url: string;
}

/**
 * The final state of one partition's replicas in a replicated log (recorded by the log target just
 * before its nodes stop): every running broker's batches and its own high watermark. The replica
 * divergence check reads it.
 */
export interface ReplicasOp {
  t: number;
  process: "harness";
  type: "info";
  f: "replicas";
  topic: string;
  partition: number;
  /** The topic is compacted (cleanup.policy): replicas are compared by each key's last value. */
  compacted?: boolean;
  replicas: Array<{
    broker: string;
    highWatermark: number;
    /** Where the replica's log begins (retention); absent in older histories = 0. */
    logStartOffset?: number;
    batches: Array<{ baseOffset: number; lastOffset: number; epoch: number; crc: number }>;
    /** Compacted topics: every record (offset, base64 key, value hash or null). */
    records?: Array<{ o: number; k: string; v: string | null }>;
  }>;
}

/**
 * Partition leadership at the end of a replicated log's run (recorded by the log target just
 * before its nodes stop, from a running broker's Metadata): each partition's leader and its
 * replicas in assignment order, the first being its preferred leader. Read for `leadership`.
 */
export interface LeadershipOp {
  t: number;
  process: "harness";
  type: "info";
  f: "leadership";
  topic: string;
  /** Every broker of the cluster, so one that leads nothing still counts. */
  brokers: string[];
  /** `leader` null: the partition had no leader (offline). */
  partitions: Array<{ partition: number; leader: string | null; replicas: string[] }>;
}

export type Op =
  | WorkerLostOp
  | ConsumerGroupOp
  | StartOp
  | PhaseOp
  | SendOp
  | DeliverOp
  | UnparsedDeliverOp
  | NemesisOp
  | NodeExitOp
  | SampleOp
  | ReplicasOp
  | LeadershipOp;
