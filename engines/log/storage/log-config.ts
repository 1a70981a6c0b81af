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
}

export const defaultLogConfig: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  retentionBytes: -1,
  retentionMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  flushMessages: Number.POSITIVE_INFINITY,
  flushMs: Number.POSITIVE_INFINITY,
  maxMessageBytes: 1048588,
};

/** Topic-level config names (as CreateTopics sends them) → LogConfig fields. */
export const topicConfigKeys: Record<string, keyof LogConfig> = {
  "segment.bytes": "segmentBytes",
  "retention.bytes": "retentionBytes",
  "retention.ms": "retentionMs",
  "index.interval.bytes": "indexIntervalBytes",
  "flush.messages": "flushMessages",
  "flush.ms": "flushMs",
  "max.message.bytes": "maxMessageBytes",
};

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
    const field = topicConfigKeys[k];
    if (!field) throw new Error(`unknown topic config ${k}`);
    out[field] = parseConfigNumber(k, v);
  }
  if (out.segmentBytes < 128) throw new Error("segment.bytes must be at least 128");
  return out;
}
