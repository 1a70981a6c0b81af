/**
 * Flume's FileChannel: a durable channel whose state is a write-ahead log of put/take/commit/
 * rollback records plus a periodic checkpoint of the queue as pointers into that log.
 *
 * Two views of the queue are kept. The *log view* (`logged`: committed pointers not yet
 * take-committed, plus open transactions) changes synchronously as records are appended, so a
 * checkpoint can snapshot it together with the log position in one step and be consistent by
 * construction. The *live view* (`queue` of events, what takers see) changes only once a commit
 * is durable: a put becomes visible after its commit record is fsynced (with fsyncPerTransaction),
 * so a committed event the source acknowledged survives kill -9.
 *
 * Departures from Flume: events are also kept in memory (Flume reads them back from the log on
 * take), trading memory for not doing a read per take; capacity is reserved at commit rather than
 * at put, which the HTTP source cannot tell apart (it puts a whole request in one tick); only one
 * data directory is supported.
 */

import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { removePath } from "../../shared/file-io.ts";
import {
  type Channel,
  type ChannelCounters,
  ChannelException,
  ChannelFullException,
  newChannelCounters,
  type Transaction,
  Waiters,
  waitForRoom,
} from "../channel.ts";
import type { FileChannelConfig } from "../config.ts";
import { Deque } from "../deque.ts";
import type { AgentEvent } from "../event.ts";
import { type Checkpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { LogWriter, logFileId, logFileName } from "./log-writer.ts";
import { COMMIT, pointerFile, ROLLBACK } from "./record.ts";
import { type ReplayResult, replay } from "./replay.ts";

interface Entry {
  key: number;
  event: AgentEvent;
}

export class FileChannel implements Channel {
  readonly name: string;
  readonly capacity: number;
  readonly counters: ChannelCounters = newChannelCounters();
  readonly queue = new Deque<Entry>();
  /** Log view: committed pointers not yet take-committed (insertion order = queue order). */
  readonly logged = new Set<number>();
  /** Open transactions, whose puts and takes are in the log but not committed. */
  readonly open = new Set<FileTransaction>();
  inflightTakes = 0;
  /** Puts whose commit record is appended but not yet durable; they hold capacity. */
  committing = 0;
  readonly data = new Waiters();
  readonly space = new Waiters();
  writer: LogWriter | undefined;
  /** Result of the last start's replay (for logs and tests). */
  lastReplay: ReplayResult | undefined;
  private txEpoch = 0;
  private txCounter = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private checkpointing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly config: FileChannelConfig,
    private readonly log: (m: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {
    this.name = config.name;
    this.capacity = config.capacity;
  }

  async start(): Promise<void> {
    const { checkpointDir, dataDir } = this.config;
    await mkdir(checkpointDir, { recursive: true });
    await mkdir(dataDir, { recursive: true });
    const cp = await readCheckpoint(checkpointDir);
    const r = await replay(dataDir, cp, this.log);
    this.lastReplay = r;
    for (const e of r.queue) {
      this.queue.push(e);
      this.logged.add(e.key);
    }
    const next = (r.files[r.files.length - 1] ?? 0) + 1;
    // Transaction ids are epoch × 2^32 + counter with the first file id of this run as epoch, so ids
    // never repeat across restarts and replay cannot mix an old transaction with a new one.
    this.txEpoch = next;
    this.writer = new LogWriter(dataDir, this.config.maxFileSize, next);
    this.log(
      `file channel ${this.name}: replayed ${r.records} records from ${r.files.length} log files (checkpoint ${cp ? "found" : "none"}); ${this.queue.length} events queued, ${r.droppedPuts} uncommitted puts dropped`,
    );
    this.counters.StartTime = Date.now();
    this.checkpointTimer = setInterval(
      () => void this.checkpoint().catch((e) => this.log(`checkpoint failed: ${e}`)),
      this.config.checkpointIntervalMs,
    );
    this.checkpointTimer.unref();
    if (!this.config.fsyncPerTransaction) {
      this.fsyncTimer = setInterval(
        () => void this.writer?.sync(true).catch(() => {}),
        this.config.fsyncIntervalMs,
      );
      this.fsyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.checkpointTimer);
    clearInterval(this.fsyncTimer);
    this.data.notify(false);
    if (this.config.checkpointOnClose) await this.checkpoint();
    await this.writer?.close();
    this.counters.StopTime = Date.now();
  }

  begin(): Transaction {
    if (!this.writer || this.stopped) throw new ChannelException(`file channel ${this.name} is not running`);
    this.txCounter = (this.txCounter + 1) % 2 ** 32;
    return new FileTransaction(this, this.writer, this.txEpoch * 2 ** 32 + this.txCounter);
  }

  size(): number {
    return this.queue.length;
  }

  waitForEvents(timeoutMs: number): Promise<boolean> {
    if (this.queue.length > 0) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return this.data.wait(timeoutMs).then(() => this.queue.length > 0);
  }

  /**
   * Snapshots the log view at the current log position, waits until the log is durable up to that
   * position, writes the checkpoint, then deletes log files older than the position that no
   * pointer refers to. Concurrent calls share one run.
   */
  checkpoint(): Promise<void> {
    if (!this.checkpointing) {
      this.checkpointing = this.doCheckpoint().finally(() => {
        this.checkpointing = undefined;
      });
    }
    return this.checkpointing;
  }

  private async doCheckpoint(): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    const pos = writer.position();
    const cp: Checkpoint = {
      fileId: pos.fileId,
      offset: pos.offset,
      queue: [...this.logged],
      inflightPuts: new Map(),
      inflightTakes: new Map(),
    };
    for (const tx of this.open) {
      if (tx.puts.length > 0)
        cp.inflightPuts.set(
          tx.id,
          tx.puts.map((e) => e.key),
        );
      if (tx.takes.length > 0)
        cp.inflightTakes.set(
          tx.id,
          tx.takes.map((e) => e.key),
        );
    }
    await writer.sync(true);
    await writeCheckpoint(this.config.checkpointDir, cp);
    const referenced = new Set<number>();
    for (const k of cp.queue) referenced.add(pointerFile(k));
    for (const m of [cp.inflightPuts, cp.inflightTakes])
      for (const v of m.values()) for (const k of v) referenced.add(pointerFile(k));
    const openFiles = new Set(writer.openFiles());
    for (const name of await readdir(this.config.dataDir)) {
      const id = logFileId(name);
      if (id === undefined || id >= pos.fileId || referenced.has(id) || openFiles.has(id)) continue;
      removePath(join(this.config.dataDir, logFileName(id)));
    }
  }
}

class FileTransaction implements Transaction {
  readonly puts: Entry[] = [];
  readonly takes: Entry[] = [];
  private closed = false;
  private logged = false;

  constructor(
    private readonly ch: FileChannel,
    private readonly writer: LogWriter,
    readonly id: number,
  ) {}

  put(event: AgentEvent): void {
    this.check();
    const ch = this.ch;
    ch.counters.EventPutAttemptCount++;
    if (this.takes.length > 0)
      throw new ChannelException("a file channel transaction may not mix puts and takes");
    if (this.puts.length >= ch.config.transactionCapacity) {
      throw new ChannelException(
        `put list for transaction of capacity ${ch.config.transactionCapacity} full in channel ${ch.name}`,
      );
    }
    this.enlist();
    this.puts.push({ key: this.writer.appendPut(this.id, event), event });
  }

  take(): AgentEvent | undefined {
    this.check();
    const ch = this.ch;
    ch.counters.EventTakeAttemptCount++;
    if (this.puts.length > 0)
      throw new ChannelException("a file channel transaction may not mix puts and takes");
    if (this.takes.length >= ch.config.transactionCapacity) {
      throw new ChannelException(
        `take list for transaction of capacity ${ch.config.transactionCapacity} full in channel ${ch.name}`,
      );
    }
    const e = ch.queue.shift();
    if (e === undefined) return undefined;
    this.enlist();
    this.writer.appendTake(this.id, e.key);
    ch.inflightTakes++;
    this.takes.push(e);
    return e.event;
  }

  async commit(): Promise<void> {
    this.check();
    const ch = this.ch;
    const n = this.puts.length;
    if (n > 0) {
      const room = () => ch.queue.length + ch.inflightTakes + ch.committing + n <= ch.capacity;
      // The room test and the reservation below (ch.committing) must run in one synchronous
      // stretch: several commits can be woken by the same freed space.
      const deadline = Date.now() + ch.config.keepAliveMs;
      while (!room()) {
        const left = deadline - Date.now();
        if (left <= 0 || !(await waitForRoom(room, ch.space, left))) {
          this.check();
          throw new ChannelFullException(
            `The channel has reached its capacity. This might be the result of a sink on the channel having too low of a batch size, a downstream system running slower than normal, or that the channel capacity is just too low. [channel=${ch.name}]`,
          );
        }
        this.check();
      }
    }
    this.closed = true;
    if (!this.logged) return;
    // From here on the log says "committed": update the log view in the same tick as the append.
    this.writer.appendMark(COMMIT, this.id);
    ch.open.delete(this);
    for (const e of this.puts) ch.logged.add(e.key);
    for (const e of this.takes) ch.logged.delete(e.key);
    ch.committing += n;
    try {
      await this.writer.sync(ch.config.fsyncPerTransaction);
    } catch (e) {
      ch.committing -= n;
      throw new ChannelException(
        `file channel ${ch.name}: commit could not be written: ${(e as Error).message}`,
      );
    }
    ch.committing -= n;
    for (const e of this.puts) ch.queue.push(e);
    ch.counters.EventPutSuccessCount += n;
    ch.counters.EventTakeSuccessCount += this.takes.length;
    ch.inflightTakes -= this.takes.length;
    if (n > 0) ch.data.notify();
    if (this.takes.length > 0) ch.space.notify();
  }

  async rollback(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.logged) return;
    const ch = this.ch;
    this.writer.appendMark(ROLLBACK, this.id);
    ch.open.delete(this);
    if (this.takes.length > 0) {
      ch.queue.unshiftAll(this.takes);
      ch.inflightTakes -= this.takes.length;
      ch.data.notify();
    }
  }

  private enlist(): void {
    if (this.logged) return;
    this.logged = true;
    this.ch.open.add(this);
  }

  private check(): void {
    if (this.closed) throw new ChannelException("transaction is already committed or rolled back");
  }
}
