/**
 * Topic-level configs (Kafka's names): which exist, how each is validated, which broker-wide key
 * it overrides, and how the effective value is described (DescribeConfigs). One table shared by
 * the brokers (CreateTopics, DescribeConfigs, AlterConfigs) and the controller, which validates
 * again before it commits a topic's configs to the metadata log, so a config in the image is
 * always one every broker can apply.
 *
 * Two kinds: log settings (segment.bytes, retention.ms, ...), which the partition logs apply
 * (storage/log-config.ts), and replication settings (min.insync.replicas,
 * unclean.leader.election.enable), which the leader (acks=all, the HW) and the controller
 * (leader election) read from the topic's entry in the image.
 */

import type { BrokerConfig } from "./config.ts";
import { defaultBrokerConfig } from "./config.ts";
import {
  type NumericLogField,
  parseCleanupPolicy,
  parseConfigNumber,
  parseRatio,
  topicConfigKeys,
} from "./storage/log-config.ts";

/** DescribeConfigs config_source values. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** DescribeConfigs (v3+) config_type values. */
const ConfigType = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, DOUBLE: 6, LIST: 7 } as const;

interface TopicConfigDef {
  /** The broker-wide key this topic key overrides (Kafka's synonym). */
  brokerKey: string;
  type: number;
  /** Canonical value text, or throws with the reason. */
  parse(value: string): string;
  /** The broker-wide effective value, as text. */
  brokerValue(c: BrokerConfig): string;
}

const LONG_MAX = "9223372036854775807";
const numText = (n: number) => (n === Number.POSITIVE_INFINITY ? LONG_MAX : String(n));

function logDef(field: NumericLogField, brokerKey: string, min: number, type: number): TopicConfigDef {
  return {
    brokerKey,
    type,
    parse(v) {
      const n = parseConfigNumber(brokerKey, v);
      if (n < min) throw new Error(`must be at least ${min}, got ${v}`);
      return numText(n);
    },
    brokerValue: (c) => numText(c.log[field]),
  };
}

const fieldOf = (topicKey: string): NumericLogField => topicConfigKeys[topicKey]!;

export const topicConfigDefs: Record<string, TopicConfigDef> = {
  "segment.bytes": logDef(fieldOf("segment.bytes"), "log.segment.bytes", 128, ConfigType.INT),
  "retention.bytes": logDef(fieldOf("retention.bytes"), "log.retention.bytes", -1, ConfigType.LONG),
  "retention.ms": logDef(fieldOf("retention.ms"), "log.retention.ms", -1, ConfigType.LONG),
  "index.interval.bytes": logDef(
    fieldOf("index.interval.bytes"),
    "log.index.interval.bytes",
    0,
    ConfigType.INT,
  ),
  "flush.messages": logDef(fieldOf("flush.messages"), "log.flush.interval.messages", 1, ConfigType.LONG),
  "flush.ms": logDef(fieldOf("flush.ms"), "log.flush.interval.ms", 0, ConfigType.LONG),
  "max.message.bytes": logDef(fieldOf("max.message.bytes"), "message.max.bytes", 0, ConfigType.INT),
  "segment.ms": logDef(fieldOf("segment.ms"), "log.roll.ms", 1, ConfigType.LONG),
  "delete.retention.ms": logDef(
    fieldOf("delete.retention.ms"),
    "log.cleaner.delete.retention.ms",
    0,
    ConfigType.LONG,
  ),
  "cleanup.policy": {
    brokerKey: "log.cleanup.policy",
    type: ConfigType.LIST,
    parse: parseCleanupPolicy,
    brokerValue: (c) => c.log.cleanupPolicy,
  },
  "min.cleanable.dirty.ratio": {
    brokerKey: "log.cleaner.min.cleanable.ratio",
    type: ConfigType.DOUBLE,
    parse: (v) => String(parseRatio(v)),
    brokerValue: (c) => String(c.log.minCleanableDirtyRatio),
  },
  "min.insync.replicas": {
    brokerKey: "min.insync.replicas",
    type: ConfigType.INT,
    parse(v) {
      const n = parseConfigNumber("min.insync.replicas", v);
      if (n < 1 || n === Number.POSITIVE_INFINITY) throw new Error(`must be at least 1, got ${v}`);
      return String(n);
    },
    brokerValue: (c) => String(c.minInsyncReplicas),
  },
  "unclean.leader.election.enable": {
    brokerKey: "unclean.leader.election.enable",
    type: ConfigType.BOOLEAN,
    parse(v) {
      const b = v.trim().toLowerCase();
      if (b !== "true" && b !== "false") throw new Error(`expected true or false, got ${v}`);
      return b;
    },
    brokerValue: (c) => String(c.uncleanLeaderElection),
  },
};

export const topicConfigNames = Object.keys(topicConfigDefs).sort();

/**
 * Validates topic configs; returns them canonicalised, or the first problem as a message naming
 * the key and what it accepts (the INVALID_CONFIG error message).
 */
export function validateTopicConfigs(
  configs: Record<string, string>,
): { ok: true; configs: Record<string, string> } | { ok: false; message: string } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(configs)) {
    const def = topicConfigDefs[k];
    if (!def) {
      return {
        ok: false,
        message: `unknown topic config ${k}; known topic configs: ${topicConfigNames.join(", ")}`,
      };
    }
    try {
      out[k] = def.parse(v);
    } catch (e) {
      return { ok: false, message: `topic config ${k}: ${(e as Error).message}` };
    }
  }
  return { ok: true, configs: out };
}

/** The topic's min.insync.replicas: its own override, else the broker's. */
export function topicMinIsr(configs: Record<string, string> | undefined, broker: number): number {
  const v = configs?.["min.insync.replicas"];
  return v === undefined ? broker : Number(v);
}

/** The topic's unclean.leader.election.enable: its own override, else the controller's. */
export function topicUnclean(configs: Record<string, string> | undefined, broker: boolean): boolean {
  const v = configs?.["unclean.leader.election.enable"];
  return v === undefined ? broker : v === "true";
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: Array<{ name: string; value: string | null; source: number }>;
  configType: number;
  documentation: string | null;
}

/**
 * Every topic config with its effective value: the topic's override (DYNAMIC_TOPIC_CONFIG), else
 * the broker's value (STATIC_BROKER_CONFIG when `--set` changed it, DEFAULT_CONFIG otherwise).
 * `keys` null = all; unknown keys are left out, as Kafka does.
 */
export function describeTopicConfigs(
  configs: Record<string, string>,
  broker: BrokerConfig,
  keys: string[] | null,
  synonyms: boolean,
): DescribedConfig[] {
  const defaults = defaultBrokerConfig();
  const names = keys === null ? topicConfigNames : keys.filter((k) => topicConfigDefs[k]);
  return names.map((name) => {
    const def = topicConfigDefs[name]!;
    const brokerValue = def.brokerValue(broker);
    const brokerSource =
      brokerValue === def.brokerValue(defaults)
        ? ConfigSource.DEFAULT_CONFIG
        : ConfigSource.STATIC_BROKER_CONFIG;
    const own = configs[name];
    const syn: DescribedConfig["synonyms"] = [];
    if (synonyms) {
      if (own !== undefined) syn.push({ name, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
      syn.push({ name: def.brokerKey, value: brokerValue, source: brokerSource });
    }
    const source = own !== undefined ? ConfigSource.DYNAMIC_TOPIC_CONFIG : brokerSource;
    return {
      name,
      value: own ?? brokerValue,
      readOnly: false,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configSource: source,
      isSensitive: false,
      synonyms: syn,
      configType: def.type,
      documentation: null,
    };
  });
}

/** What CreateTopics v5+ answers for a created topic: every topic config, effective value and source. */
export function createdTopicConfigs(
  configs: Record<string, string>,
  broker: BrokerConfig,
): Array<{
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}> {
  return describeTopicConfigs(configs, broker, null, false).map((c) => ({
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    configSource: c.configSource,
    isSensitive: c.isSensitive,
  }));
}

/** IncrementalAlterConfigs operations. */
export const ConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigChange {
  name: string;
  /** ConfigOp; AlterConfigs (replace mode) sends SET for every entry. */
  op: number;
  value: string | null;
}

/**
 * A topic's configs after AlterConfigs (`replace`: the entries become the whole set, everything
 * else returns to the broker default, as Kafka's AlterConfigs does) or IncrementalAlterConfigs
 * (`incremental`: SET and DELETE per key; APPEND and SUBTRACT apply to list configs only: the only
 * list here, cleanup.policy, takes SET only). Pure: the controller runs it against its image.
 */
export function alterTopicConfigs(
  current: Record<string, string>,
  mode: "replace" | "incremental",
  changes: ConfigChange[],
): { ok: true; configs: Record<string, string> } | { ok: false; errorCode: 40 | 42; message: string } {
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.name))
      return { ok: false, errorCode: 42, message: `config ${c.name} named more than once` };
    seen.add(c.name);
  }
  const next: Record<string, string> = mode === "replace" ? {} : { ...current };
  for (const c of changes) {
    if (!topicConfigDefs[c.name]) {
      return {
        ok: false,
        errorCode: 40,
        message: `unknown topic config ${c.name}; known topic configs: ${topicConfigNames.join(", ")}`,
      };
    }
    if (c.op === ConfigOp.DELETE) delete next[c.name];
    else if (c.op === ConfigOp.SET) {
      if (c.value === null) {
        if (mode === "replace") continue;
        return { ok: false, errorCode: 40, message: `topic config ${c.name}: SET needs a value` };
      }
      next[c.name] = c.value;
    } else if (c.op === ConfigOp.APPEND || c.op === ConfigOp.SUBTRACT) {
      return {
        ok: false,
        errorCode: 40,
        message:
          c.name === "cleanup.policy"
            ? "topic config cleanup.policy: APPEND and SUBTRACT are not served here (SET the whole list)"
            : `topic config ${c.name} is not a list: APPEND and SUBTRACT do not apply (use SET)`,
      };
    } else return { ok: false, errorCode: 42, message: `unknown config operation ${c.op}` };
  }
  const v = validateTopicConfigs(next);
  return v.ok ? { ok: true, configs: v.configs } : { ok: false, errorCode: 40, message: v.message };
}
