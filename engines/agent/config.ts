/**
 * Flume-style agent configuration: a properties file where every key starts with the agent name
 * (`a1.sources = r1`, `a1.channels.c1.type = memory`, ...), so one file can describe several agents
 * and the name picks one. Parsing validates everything up front and reports every problem at once
 * (key, what is wrong, what is allowed) in one FB_CONFIG_INVALID error, then fills in Flume's
 * defaults, so the rest of the agent only ever sees a complete, typed config.
 */

import { readFile } from "node:fs/promises";
import { FaultbenchError } from "../../lib/errors.ts";
import { parseProperties } from "./properties.ts";

export interface HttpSourceConfig {
  name: string;
  type: "http";
  /** Interface to listen on. Default 127.0.0.1 (Flume's default is 0.0.0.0; we are safe by default). */
  bind: string;
  /** TCP port; 0 picks a free one (reported in the ready line). */
  port: number;
  /** Required channels; each request is one transaction on each, in this order. */
  channels: string[];
}

interface ChannelCommon {
  name: string;
  /** Max events stored. */
  capacity: number;
  /** Max puts or takes in one transaction. */
  transactionCapacity: number;
  /** How long a commit waits for free slots before ChannelFullException (ms; `keep-alive` is seconds). */
  keepAliveMs: number;
}

export interface MemoryChannelConfig extends ChannelCommon {
  type: "memory";
}

export interface FileChannelConfig extends ChannelCommon {
  type: "file";
  checkpointDir: string;
  /** The data directory holding the log files (Flume accepts a list; we support exactly one). */
  dataDir: string;
  checkpointIntervalMs: number;
  /** A log file is rolled over once it would grow past this many bytes. */
  maxFileSize: number;
  fsyncPerTransaction: boolean;
  /** Period of the background fsync when fsyncPerTransaction is false (ms; `fsyncInterval` is seconds). */
  fsyncIntervalMs: number;
  checkpointOnClose: boolean;
}

export type ChannelConfig = MemoryChannelConfig | FileChannelConfig;

export interface HttpSinkConfig {
  name: string;
  type: "http";
  channel: string;
  endpoint: string;
  /** Max events per transaction and per POST. */
  batchSize: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** `rollback.CODE` overrides, CODE being `503` or `5XX`; default: roll back unless 2xx. */
  rollback: Record<string, boolean>;
  /** `backoff.CODE` overrides; default: back off unless 2xx. */
  backoff: Record<string, boolean>;
}

export type ProcessorConfig =
  | { type: "default" }
  | { type: "failover"; priority: Record<string, number>; maxPenaltyMs: number }
  | { type: "load_balance"; selector: "round_robin" | "random"; backoff: boolean; maxTimeOutMs: number };

/** One sink runner: a declared sink group, or the implicit default group of a sink in no group. */
export interface SinkGroupConfig {
  name: string;
  sinks: string[];
  processor: ProcessorConfig;
  /** Runner backoff: sleep min(consecutiveBackoffs × backoffStepMs, maxBackoffMs) (Flume: 1000, 5000). */
  backoffStepMs: number;
  maxBackoffMs: number;
}

export interface AgentConfig {
  name: string;
  sources: HttpSourceConfig[];
  channels: ChannelConfig[];
  sinks: HttpSinkConfig[];
  sinkGroups: SinkGroupConfig[];
  /** Keys that were ignored (unknown or for undeclared components); worth logging, not fatal. */
  warnings: string[];
}

const SOURCE_TYPES = ["http"] as const;
const CHANNEL_TYPES = ["memory", "file"] as const;
const SINK_TYPES = ["http"] as const;
const PROCESSOR_TYPES = ["default", "failover", "load_balance"] as const;
const SELECTORS = ["round_robin", "random"] as const;

/** Reads values under one prefix, remembering which keys were used and collecting problems. */
class Reader {
  readonly used = new Set<string>();
  constructor(
    readonly props: Map<string, string>,
    readonly problems: string[],
  ) {}

  raw(key: string): string | undefined {
    const v = this.props.get(key);
    if (v !== undefined) this.used.add(key);
    return v;
  }

  required(key: string, what: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === "") {
      this.problems.push(`${key} is required (${what})`);
      return undefined;
    }
    return v;
  }

  list(key: string): string[] {
    const v = this.raw(key);
    return v === undefined ? [] : v.split(/[\s,]+/).filter((s) => s !== "");
  }

  int(key: string, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(key);
    if (v === undefined) return dflt;
    const n = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
      this.problems.push(`${key} must be an integer ${range}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return n;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined) return dflt;
    const s = v.toLowerCase();
    if (s === "true") return true;
    if (s === "false") return false;
    this.problems.push(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return dflt;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], dflt: T | undefined): T | undefined {
    const v = this.raw(key);
    if (v === undefined || v === "") {
      if (dflt === undefined) this.problems.push(`${key} is required (allowed: ${allowed.join(", ")})`);
      return dflt;
    }
    if (!(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${key}: unknown value ${JSON.stringify(v)} (allowed: ${allowed.join(", ")})`);
      return undefined;
    }
    return v as T;
  }
}

/** Parses the properties text for agent `name`; throws FaultbenchError FB_CONFIG_INVALID listing every problem. */
export function parseAgentConfig(text: string, name: string): AgentConfig {
  const props = parseProperties(text);
  const problems: string[] = [];
  const r = new Reader(props, problems);
  const p = `${name}.`;
  if (![...props.keys()].some((k) => k.startsWith(p))) {
    const agents = [...new Set([...props.keys()].map((k) => k.split(".")[0]))].join(", ") || "none";
    fail(name, [`no keys for agent ${JSON.stringify(name)} (agents in this file: ${agents})`]);
  }

  const sourceNames = unique(r, `${p}sources`);
  const channelNames = unique(r, `${p}channels`);
  const sinkNames = unique(r, `${p}sinks`);
  const groupNames = unique(r, `${p}sinkgroups`);

  const channels: ChannelConfig[] = [];
  for (const c of channelNames) {
    const ch = readChannel(r, `${p}channels.${c}.`, c);
    if (ch) channels.push(ch);
  }
  const channelSet = new Set(channelNames);
  const txCap = new Map(channels.map((c) => [c.name, c.transactionCapacity]));

  const sources: HttpSourceConfig[] = [];
  for (const s of sourceNames) {
    const k = `${p}sources.${s}.`;
    const type = r.oneOf(`${k}type`, SOURCE_TYPES, undefined);
    const port =
      r.required(`${k}port`, "a TCP port, 0 = any free port") === undefined
        ? 0
        : r.int(`${k}port`, 0, 0, 65535);
    // Flume binds 0.0.0.0 by default; a test harness should not listen on every interface unasked.
    const bind = r.raw(`${k}bind`) ?? "127.0.0.1";
    const chans = r.list(`${k}channels`);
    if (chans.length === 0)
      problems.push(
        `${k}channels is required (one or more of: ${channelNames.join(", ") || "no channels declared"})`,
      );
    for (const c of chans) {
      if (!channelSet.has(c))
        problems.push(`${k}channels: channel ${JSON.stringify(c)} is not declared in ${p}channels`);
    }
    const selector = r.raw(`${k}selector.type`);
    if (selector !== undefined && selector !== "replicating") {
      problems.push(`${k}selector.type: unsupported ${JSON.stringify(selector)} (allowed: replicating)`);
    }
    if (type) sources.push({ name: s, type, bind, port, channels: chans });
  }

  const sinks: HttpSinkConfig[] = [];
  const sinkRunner = new Map<string, { step: number; max: number }>();
  for (const s of sinkNames) {
    const k = `${p}sinks.${s}.`;
    const type = r.oneOf(`${k}type`, SINK_TYPES, undefined);
    const channel = r.required(`${k}channel`, `one of: ${channelNames.join(", ") || "no channels declared"}`);
    if (channel !== undefined && !channelSet.has(channel)) {
      problems.push(`${k}channel: channel ${JSON.stringify(channel)} is not declared in ${p}channels`);
    }
    const endpoint = r.required(`${k}endpoint`, "an http:// URL");
    if (endpoint !== undefined && !isHttpUrl(endpoint)) {
      problems.push(`${k}endpoint must be an http:// or https:// URL, got ${JSON.stringify(endpoint)}`);
    }
    // 100, like Flume's Avro sink (the sink Flume uses for multi-hop) and the memory channel's default
    // transactionCapacity, so a default sink fits a default channel's transaction.
    const batchSize = r.int(`${k}batchSize`, 100, 1);
    const cap = channel === undefined ? undefined : txCap.get(channel);
    if (cap !== undefined && batchSize > cap) {
      problems.push(
        `${k}batchSize (${batchSize}) exceeds transactionCapacity (${cap}) of channel ${channel}`,
      );
    }
    const rollback: Record<string, boolean> = {};
    const backoff: Record<string, boolean> = {};
    for (const key of props.keys()) {
      for (const [word, into] of [
        ["rollback", rollback],
        ["backoff", backoff],
      ] as const) {
        if (!key.startsWith(`${k}${word}.`)) continue;
        const code = key.slice(`${k}${word}.`.length);
        if (!/^[1-5](\d\d|XX)$/i.test(code)) {
          problems.push(`${key}: ${JSON.stringify(code)} is not a status code (allowed: e.g. 503 or 5XX)`);
          r.used.add(key);
          continue;
        }
        into[code.toUpperCase()] = r.bool(key, true);
      }
    }
    sinkRunner.set(s, { step: r.int(`${k}backoffStepMs`, 1000, 0), max: r.int(`${k}maxBackoffMs`, 5000, 0) });
    if (type && channel !== undefined && endpoint !== undefined) {
      sinks.push({
        name: s,
        type,
        channel,
        endpoint,
        batchSize,
        connectTimeoutMs: r.int(`${k}connectTimeout`, 5000, 1),
        requestTimeoutMs: r.int(`${k}requestTimeout`, 5000, 1),
        rollback,
        backoff,
      });
    }
  }

  const sinkSet = new Set(sinkNames);
  const grouped = new Map<string, string>();
  const sinkGroups: SinkGroupConfig[] = [];
  for (const g of groupNames) {
    const k = `${p}sinkgroups.${g}.`;
    const members = r.list(`${k}sinks`);
    if (members.length === 0)
      problems.push(`${k}sinks is required (one or more of: ${sinkNames.join(", ") || "no sinks declared"})`);
    for (const s of members) {
      if (!sinkSet.has(s)) problems.push(`${k}sinks: sink ${JSON.stringify(s)} is not declared in ${p}sinks`);
      const other = grouped.get(s);
      if (other !== undefined) problems.push(`${k}sinks: sink ${s} is already in sink group ${other}`);
      grouped.set(s, g);
    }
    const type = r.oneOf(`${k}processor.type`, PROCESSOR_TYPES, "default");
    let processor: ProcessorConfig | undefined;
    if (type === "default") {
      if (members.length > 1)
        problems.push(`${k}processor.type = default takes exactly one sink, got ${members.length}`);
      processor = { type };
    } else if (type === "failover") {
      const priority: Record<string, number> = {};
      const seen = new Map<number, string>();
      members.forEach((s, i) => {
        const pr = r.int(`${k}processor.priority.${s}`, -i, Number.MIN_SAFE_INTEGER);
        const dup = seen.get(pr);
        if (dup !== undefined)
          problems.push(
            `${k}processor.priority.${s}: priority ${pr} is also given to ${dup} (priorities must be unique)`,
          );
        seen.set(pr, s);
        priority[s] = pr;
      });
      processor = { type, priority, maxPenaltyMs: r.int(`${k}processor.maxpenalty`, 30000, 0) };
    } else if (type === "load_balance") {
      const selector = r.oneOf(`${k}processor.selector`, SELECTORS, "round_robin");
      processor = {
        type,
        selector: selector ?? "round_robin",
        backoff: r.bool(`${k}processor.backoff`, false),
        maxTimeOutMs: r.int(`${k}processor.selector.maxTimeOut`, 30000, 0),
      };
    }
    const step = r.int(`${k}backoffStepMs`, 1000, 0);
    const max = r.int(`${k}maxBackoffMs`, 5000, 0);
    if (processor)
      sinkGroups.push({ name: g, sinks: members, processor, backoffStepMs: step, maxBackoffMs: max });
  }
  for (const s of sinkNames) {
    if (grouped.has(s)) continue;
    const run = sinkRunner.get(s) ?? { step: 1000, max: 5000 };
    sinkGroups.push({
      name: s,
      sinks: [s],
      processor: { type: "default" },
      backoffStepMs: run.step,
      maxBackoffMs: run.max,
    });
  }

  if (problems.length > 0) fail(name, problems);
  const warnings = [...props.keys()]
    .filter((k) => k.startsWith(p) && !r.used.has(k))
    .map((k) => `ignored key ${k} (unknown, or its component is not declared)`);
  return { name, sources, channels, sinks, sinkGroups, warnings };
}

/** Reads and parses a config file. */
export async function loadAgentConfig(path: string, name: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new FaultbenchError("FB_CONFIG_INVALID", `cannot read agent config ${path}`, {
      cause,
      context: { file: path, problems: [`cannot read ${path}: ${(cause as Error).message}`] },
    });
  }
  try {
    return parseAgentConfig(text, name);
  } catch (e) {
    if (e instanceof FaultbenchError) e.context.file = path;
    throw e;
  }
}

function readChannel(r: Reader, k: string, name: string): ChannelConfig | undefined {
  const type = r.oneOf(`${k}type`, CHANNEL_TYPES, undefined);
  if (type === "memory") {
    const cfg: MemoryChannelConfig = {
      name,
      type,
      capacity: r.int(`${k}capacity`, 100, 1),
      transactionCapacity: r.int(`${k}transactionCapacity`, 100, 1),
      keepAliveMs: r.int(`${k}keep-alive`, 3, 0) * 1000,
    };
    checkTxCap(r, k, cfg);
    return cfg;
  }
  if (type !== "file") return undefined;
  const checkpointDir = r.required(`${k}checkpointDir`, "a directory; we have no default under ~/.flume");
  // Flume splits dataDirs on commas only, so a path may contain spaces.
  const dataDirs = (r.raw(`${k}dataDirs`) ?? "")
    .split(",")
    .map((d) => d.trim())
    .filter((d) => d !== "");
  if (dataDirs.length === 0) r.problems.push(`${k}dataDirs is required (a directory for the log files)`);
  if (dataDirs.length > 1)
    r.problems.push(`${k}dataDirs: only one data directory is supported, got ${dataDirs.length}`);
  const cfg: FileChannelConfig = {
    name,
    type,
    capacity: r.int(`${k}capacity`, 1_000_000, 1),
    transactionCapacity: r.int(`${k}transactionCapacity`, 10_000, 1),
    keepAliveMs: r.int(`${k}keep-alive`, 3, 0) * 1000,
    checkpointDir: checkpointDir ?? "",
    dataDir: dataDirs[0] ?? "",
    checkpointIntervalMs: r.int(`${k}checkpointInterval`, 30_000, 1),
    // Flume's default; offsets in our records are 32-bit, so 4 GiB is a hard limit.
    maxFileSize: r.int(`${k}maxFileSize`, 2_146_435_071, 1024, 2 ** 32 - 1),
    fsyncPerTransaction: r.bool(`${k}fsyncPerTransaction`, true),
    fsyncIntervalMs: r.int(`${k}fsyncInterval`, 5, 1) * 1000,
    checkpointOnClose: r.bool(`${k}checkpointOnClose`, true),
  };
  checkTxCap(r, k, cfg);
  return cfg;
}

function checkTxCap(r: Reader, k: string, cfg: ChannelCommon): void {
  if (cfg.transactionCapacity > cfg.capacity) {
    r.problems.push(
      `${k}transactionCapacity (${cfg.transactionCapacity}) exceeds capacity (${cfg.capacity})`,
    );
  }
}

function unique(r: Reader, key: string): string[] {
  const names = r.list(key);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) r.problems.push(`${key}: ${n} is listed twice`);
    seen.add(n);
  }
  return [...seen];
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

function fail(name: string, problems: string[]): never {
  throw new FaultbenchError(
    "FB_CONFIG_INVALID",
    `invalid config for agent ${name}:\n  ${problems.join("\n  ")}`,
    {
      context: { node: name, problems },
    },
  );
}
