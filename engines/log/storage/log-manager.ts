/**
 * All topics of the broker on disk. Topic names and their partition counts and config overrides
 * live in `topics.json` (written atomically: temp file, fsync, rename); each partition is a
 * `<topic>-<n>` directory holding its segments. Background timers apply `flush.ms` and retention,
 * and the log cleaner compacts the partitions of topics with cleanup.policy=compact.
 */

import { existsSync, mkdirSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  closeFile,
  fsyncDir,
  fsyncFile,
  openFile,
  removePath,
  renameFile,
  writeWholeFile,
} from "../../shared/file-io.ts";
import { LogCleaner } from "../cleaner/log-cleaner.ts";
import { type LogConfig, withTopicConfigs } from "./log-config.ts";
import { PartitionLog } from "./partition-log.ts";

/** Present in the data directory only between a graceful close and the next start. */
const CLEAN_SHUTDOWN = ".clean-shutdown";

export interface TopicMeta {
  partitions: number;
  configs: Record<string, string>;
}

export interface Topic {
  name: string;
  meta: TopicMeta;
  partitions: PartitionLog[];
}

/** Kafka's legal topic names: 1–249 chars of [a-zA-Z0-9._-], not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(name) && name !== "." && name !== "..";
}

export class LogManager {
  readonly dataDir: string;
  readonly defaults: LogConfig;
  private readonly topics = new Map<string, Topic>();
  private timers: NodeJS.Timeout[] = [];
  private cleaner: LogCleaner | undefined;

  constructor(dataDir: string, defaults: LogConfig) {
    this.dataDir = dataDir;
    this.defaults = defaults;
    mkdirSync(dataDir, { recursive: true });
  }

  /**
   * Opens every topic listed in topics.json, recovering each partition. A clean-shutdown marker
   * (written by `close`) limits recovery to the active segments; without it every segment is
   * validated. Returns whether the previous shutdown was clean.
   */
  load(): boolean {
    const marker = join(this.dataDir, CLEAN_SHUTDOWN);
    const clean = existsSync(marker);
    if (clean) {
      // Durably gone, or a crash after this start would pass for a clean shutdown.
      removePath(marker);
      fsyncDir(this.dataDir);
    }
    const file = join(this.dataDir, "topics.json");
    if (!existsSync(file)) return clean;
    const all = JSON.parse(readFileSync(file, "utf8")) as Record<string, TopicMeta>;
    for (const [name, meta] of Object.entries(all)) this.openTopic(name, meta, !clean);
    return clean;
  }

  private openTopic(name: string, meta: TopicMeta, fullRecovery = false): Topic {
    const config = withTopicConfigs(this.defaults, meta.configs);
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < meta.partitions; p++) {
      partitions.push(PartitionLog.open(this.dataDir, name, p, config, fullRecovery));
    }
    const t: Topic = { name, meta, partitions };
    this.topics.set(name, t);
    return t;
  }

  private persist(): void {
    const all: Record<string, TopicMeta> = {};
    for (const [name, t] of this.topics) all[name] = t.meta;
    const file = join(this.dataDir, "topics.json");
    const tmp = `${file}.tmp`;
    const fd = openFile(tmp, "w");
    writeSync(fd, JSON.stringify(all, null, 2));
    fsyncFile(fd);
    closeFile(fd);
    renameFile(tmp, file);
    fsyncDir(this.dataDir);
  }

  /**
   * Starts the flush.ms check (every 100 ms, cheap when nothing is due), the retention timer and,
   * when given its period, the log cleaner.
   */
  startBackground(
    retentionCheckMs: number,
    cleaner?: { backoffMs: number; log: (msg: string) => void },
  ): void {
    const partitions = () => [...this.topics.values()].flatMap((t) => t.partitions);
    if (cleaner) {
      this.cleaner = new LogCleaner(partitions, cleaner.log);
      this.cleaner.start(cleaner.backoffMs);
    }
    const f = setInterval(() => {
      const now = Date.now();
      for (const p of partitions()) p.maybeFlushByTime(now);
    }, 100);
    f.unref();
    const r = setInterval(() => {
      const now = Date.now();
      for (const p of partitions()) p.applyRetention(now);
    }, retentionCheckMs);
    r.unref();
    this.timers.push(f, r);
  }

  topic(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  /** Creates a topic; throws on bad configs. The caller validates names and counts first. */
  createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Topic {
    withTopicConfigs(this.defaults, configs);
    const t = this.openTopic(name, { partitions, configs });
    this.persist();
    return t;
  }

  /**
   * Replaces a topic's config overrides (AlterConfigs): persisted, and applied to every partition
   * at once (a new segment size or retention acts on the next append or sweep). Throws on bad
   * configs, leaving the topic as it was.
   */
  setTopicConfigs(name: string, configs: Record<string, string>): boolean {
    const t = this.topics.get(name);
    if (!t) return false;
    const config = withTopicConfigs(this.defaults, configs);
    t.meta = { ...t.meta, configs: { ...configs } };
    for (const p of t.partitions) p.config = config;
    this.persist();
    return true;
  }

  /** Deletes a topic and its partition directories. */
  deleteTopic(name: string): boolean {
    const t = this.topics.get(name);
    if (!t) return false;
    this.topics.delete(name);
    this.persist();
    for (const p of t.partitions) p.destroy();
    return true;
  }

  flushAll(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.flush();
  }

  /** Flushes and closes every partition, then leaves the clean-shutdown marker. */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.cleaner?.stop();
    for (const t of this.topics.values()) for (const p of t.partitions) p.close();
    this.topics.clear();
    writeWholeFile(join(this.dataDir, CLEAN_SHUTDOWN), `${new Date().toISOString()}\n`);
  }
}
