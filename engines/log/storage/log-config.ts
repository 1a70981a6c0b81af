/**
 * Per-topic log settings (Kafka's topic-level names) and how they default from broker settings.
 * A topic created with configs overrides the broker defaults for that topic only.
 */

export interface LogConfig {
  /** Roll to a new segment when the active one would exceed this many bytes. */
  segmentBytes: number;
  /** Delete closed segments while the partition is larger than this (−1 = unlimited). */
  retentionBytes: number;
  /** Delete closed segments whose newest record is older than this (−1 = forever). */
  retentionMs: number;
  /** Bytes of log between two offset-index entries. */
  indexIntervalBytes: number;
  /** fsync after this many appended records (Infinity = never; rely on the page cache). */
  flushMessages: number;
  /** fsync data older than this many ms (Infinity = never). */
  flushMs: number;
  /** Largest record batch accepted, in bytes. */
  maxMessageBytes: number;
  /** Roll the active segment once its first append is this many ms old (checked on append). */
  segmentMs: number;
  /** `delete` (retention), `compact` (the log cleaner) or both. */
  cleanupPolicy: CleanupPolicy;
  /** Clean once the uncleaned share of the cleanable log's bytes reaches this (0–1). */
  minCleanableDirtyRatio: number;
  /** A tombstone survives this many ms after the cleaning that first passed over it. */
  deleteRetentionMs: number;
}

export type CleanupPolicy = "delete" | "compact" | "compact,delete";

/** LogConfig fields holding integers (the ones `parseConfigNumber` sets). */
export type NumericLogField = {
  [K in keyof LogConfig]: LogConfig[K] extends number ? K : never;
}[keyof LogConfig];

export const compacts = (c: LogConfig): boolean => c.cleanupPolicy !== "delete";
export const deletes = (c: LogConfig): boolean => c.cleanupPolicy !== "compact";

/** Kafka's spellings: a comma list of `compact` and `delete`, in any order, each at most once. */
export function parseCleanupPolicy(value: string): CleanupPolicy {
  const parts = value
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== "");
  const set = new Set(parts);
  if (
    parts.length === 0 ||
    set.size !== parts.length ||
    [...set].some((p) => p !== "compact" && p !== "delete")
  ) {
    throw new Error(`expected delete, compact or compact,delete, got ${value}`);
  }
  return set.size === 2 ? "compact,delete" : (parts[0] as CleanupPolicy);
}

/** A ratio in [0, 1] (min.cleanable.dirty.ratio). */
export function parseRatio(value: string): number {
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new Error(`expected a number from 0 to 1, got ${value}`);
  }
  return n;
}

export const defaultLogConfig: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  retentionBytes: -1,
  retentionMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  flushMessages: Number.POSITIVE_INFINITY,
  flushMs: Number.POSITIVE_INFINITY,
  maxMessageBytes: 1048588,
  segmentMs: 7 * 24 * 3600 * 1000,
  cleanupPolicy: "delete",
  minCleanableDirtyRatio: 0.5,
  deleteRetentionMs: 24 * 3600 * 1000,
};

/** Topic-level config names (as CreateTopics sends them) → numeric LogConfig fields. */
export const topicConfigKeys: Record<string, NumericLogField> = {
  "segment.bytes": "segmentBytes",
  "retention.bytes": "retentionBytes",
  "retention.ms": "retentionMs",
  "index.interval.bytes": "indexIntervalBytes",
  "flush.messages": "flushMessages",
  "flush.ms": "flushMs",
  "max.message.bytes": "maxMessageBytes",
  "segment.ms": "segmentMs",
  "delete.retention.ms": "deleteRetentionMs",
};

/** Topic-level log configs that are not integers, with their parsers. */
export const textTopicConfigKeys = {
  "cleanup.policy": (c: LogConfig, v: string) => {
    c.cleanupPolicy = parseCleanupPolicy(v);
  },
  "min.cleanable.dirty.ratio": (c: LogConfig, v: string) => {
    c.minCleanableDirtyRatio = parseRatio(v);
  },
} as const satisfies Record<string, (c: LogConfig, v: string) => void>;

/** Whether `key` is a topic config the partition logs apply. */
export const isLogTopicKey = (key: string): boolean =>
  topicConfigKeys[key] !== undefined || Object.hasOwn(textTopicConfigKeys, key);

/**
 * Topic configs that are not log settings: the replica layer reads them from the topic's configs
 * (engines/log/topic-configs.ts), so the log accepts and ignores them.
 */
export const replicationTopicKeys: ReadonlySet<string> = new Set([
  "min.insync.replicas",
  "unclean.leader.election.enable",
]);

/** Parses one numeric config value; Kafka's Long.MAX_VALUE spelling means "never". */
export function parseConfigNumber(key: string, value: string): number {
  const v = value.trim();
  if (v === "9223372036854775807" || v === "Infinity") return Number.POSITIVE_INFINITY;
  const n = Number(v);
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw new Error(`config ${key}: not an integer: ${value}`);
  return n;
}

/** Applies topic-level overrides; unknown keys are an error so typos do not pass silently. */
export function withTopicConfigs(base: LogConfig, configs: Record<string, string>): LogConfig {
  const out = { ...base };
  for (const [k, v] of Object.entries(configs)) {
    if (replicationTopicKeys.has(k)) continue;
    if (Object.hasOwn(textTopicConfigKeys, k)) {
      textTopicConfigKeys[k as keyof typeof textTopicConfigKeys](out, v);
      continue;
    }
    const field = topicConfigKeys[k];
    if (!field) throw new Error(`unknown topic config ${k}`);
    out[field] = parseConfigNumber(k, v);
  }
  if (out.segmentBytes < 128) throw new Error("segment.bytes must be at least 128");
  return out;
}
