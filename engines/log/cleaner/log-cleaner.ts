/**
 * The log cleaner's I/O (cleanup.policy=compact): for one partition, reads the closed segments
 * below the HW twice — once for each key's last offset, once to write what survives (plan.ts
 * decides) — into one new file per group of segments, and swaps each in safely
 * (storage/segment-swap.ts). It runs on the event loop in slices: it yields after every chunk it
 * reads and after every group it writes, so appends and fetches go on meanwhile (they only touch
 * the active segment and read old files, which stay open until the swap). Every swap first checks
 * that the log still holds the same segments (retention, truncation, a close or a topic deletion
 * may have happened during a yield); if not, the cleaning is abandoned and its file removed.
 *
 * Each replica cleans on its own, as in Kafka: segment boundaries and cleaning times differ
 * between replicas, so their bytes differ below the HW while their key → last value maps agree.
 */

import { Off, readInt64 } from "../records/record-batch.ts";
import { filterBatch, readRecords } from "../records/record-set.ts";
import { compacts } from "../storage/log-config.ts";
import type { PartitionLog } from "../storage/partition-log.ts";
import { Segment } from "../storage/segment.ts";
import { CleanedFile, installSwap } from "../storage/segment-swap.ts";
import { loadCheckpoint, saveCheckpoint } from "./cleaner-checkpoint.ts";
import {
  batchFate,
  cleanableCount,
  firstCleanedAt,
  firstDirtyOffset,
  groupSegments,
  noteLastOffsets,
  type PlanBatch,
  recordCleaning,
  shouldClean,
  tombstoneExpired,
} from "./plan.ts";

export type CleanResult =
  | { kind: "skipped"; reason: string }
  | { kind: "abandoned"; reason: string }
  | {
      kind: "cleaned";
      /** Offsets [from, to) were cleaned. */
      from: number;
      to: number;
      bytesBefore: number;
      bytesAfter: number;
      segmentsBefore: number;
      segmentsAfter: number;
      recordsRemoved: number;
      ms: number;
    };

export interface CleanOptions {
  now?: number;
  /** Clean even below min.cleanable.dirty.ratio (tests, the bench). */
  force?: boolean;
  /** Awaited between slices; setImmediate by default. */
  pause?: () => Promise<void>;
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

/**
 * `keepLast`: last offsets of batches kept whole — each idempotent producer's newest batch, and
 * the log's very last batch (when the active segment is empty it lies in a cleaned segment; kept,
 * a follower copying the log still ends at the leader's log end offset).
 */
function planBatch(buf: Buffer, pos: number, size: number, keepLast: ReadonlySet<number>, logEnd: number) {
  const baseOffset = readInt64(buf, pos + Off.baseOffset);
  const lastOffset = baseOffset + buf.readInt32BE(pos + Off.lastOffsetDelta);
  const read = readRecords(buf, pos, size);
  const plan: PlanBatch = {
    baseOffset,
    lastOffset,
    records: read?.records.map((r) => ({
      offset: r.offset,
      key: r.key === null ? null : r.key.toString("latin1"),
      tombstone: r.tombstone,
    })),
    keepWhole:
      lastOffset === logEnd - 1 || (readInt64(buf, pos + Off.producerId) >= 0 && keepLast.has(lastOffset)),
  };
  return { plan, read };
}

/** Cleans one partition's log once, if it is compacted and due (or `force`). */
export async function cleanLog(log: PartitionLog, opts: CleanOptions = {}): Promise<CleanResult> {
  const t0 = Date.now();
  const now = opts.now ?? t0;
  const pause = opts.pause ?? nextTick;
  const config = log.config;
  if (!compacts(config)) return { kind: "skipped", reason: "cleanup.policy does not compact" };
  const all = log.segmentList;
  const infos = all.map((s) => ({ baseOffset: s.baseOffset, nextOffset: s.nextOffset, size: s.size }));
  const n = cleanableCount(infos, log.highWatermark);
  const segments = all.slice(0, n);
  if (n === 0) return { kind: "skipped", reason: "no closed segment below the high watermark" };
  const cp = loadCheckpoint(log.dir, log.logEndOffset);
  const firstDirty = Math.max(firstDirtyOffset(cp.history), log.logStartOffset);
  const due = shouldClean(
    infos.slice(0, n),
    firstDirty,
    config.minCleanableDirtyRatio,
    cp.tombstonesDueAt,
    now,
  );
  if (!opts.force && !due) return { kind: "skipped", reason: "below min.cleanable.dirty.ratio" };
  const cleanEnd = segments.at(-1)!.nextOffset;
  // Segments not swapped yet; each must still be in the log after every yield.
  let pending: readonly Segment[] = segments;
  const gone = (): string | undefined =>
    pending.every((s) => log.holds(s)) ? undefined : "the log changed while it was being cleaned";

  // First pass: each key's last offset in the cleanable range.
  const lastOffsetOf = new Map<string, number>();
  const producerLast = log.producers.lastBatchOffsets();
  const logEnd = log.logEndOffset;
  let opaque = false;
  for (const s of segments) {
    let sinceYield = 0;
    for (const { buf, pos, size } of s.batches()) {
      const { plan } = planBatch(buf, pos, size, producerLast, logEnd);
      if (!plan.records) opaque = true;
      noteLastOffsets(lastOffsetOf, plan);
      sinceYield += size;
      if (sinceYield >= 1 << 20) {
        sinceYield = 0;
        await pause();
        const why = gone();
        if (why) return { kind: "abandoned", reason: why };
      }
    }
    await pause();
    const why = gone();
    if (why) return { kind: "abandoned", reason: why };
  }

  // Second pass, one group of segments at a time.
  const history = recordCleaning(cp.history, cleanEnd, now, config.deleteRetentionMs);
  const expired = (o: number) => !opaque && tombstoneExpired(history, o, now, config.deleteRetentionMs);
  let tombstonesDueAt: number | undefined;
  let recordsRemoved = 0;
  let bytesBefore = 0;
  let bytesAfter = 0;
  const groups = groupSegments(infos.slice(0, n), config.segmentBytes);
  for (const [g0, g1] of groups) {
    const group = segments.slice(g0, g1);
    pending = segments.slice(g0);
    const base = group[0]!.baseOffset;
    const end = group.at(-1)!.nextOffset;
    const out = new CleanedFile(log.dir, base, end);
    let maxTimestamp = -1;
    try {
      for (const s of group) {
        bytesBefore += s.size;
        maxTimestamp = Math.max(maxTimestamp, s.maxTimestamp);
        let sinceYield = 0;
        for (const { buf, pos, size } of s.batches()) {
          sinceYield += size;
          if (sinceYield >= 1 << 20) {
            sinceYield = 0;
            await pause();
            const why = gone();
            if (why) {
              out.abandon();
              return { kind: "abandoned", reason: why };
            }
          }
          const { plan, read } = planBatch(buf, pos, size, producerLast, logEnd);
          const fate = batchFate(plan, lastOffsetOf, expired);
          let kept: Array<{ tombstone: boolean; offset: number }> = [];
          if (fate.kind === "keep") {
            out.append(buf.subarray(pos, pos + size));
            kept = plan.records ?? [];
          } else if (fate.kind === "filter") {
            const keep = fate.keep.map((i) => read!.records[i]!);
            const filtered = filterBatch(buf, pos, read!.bytes, keep);
            out.append(filtered);
            kept = keep;
          }
          if (plan.records) recordsRemoved += plan.records.length - kept.length;
          // A tombstone that can expire makes a cleaning due. None can while unreadable batches are
          // about, nor in a batch kept whole: counting those would re-clean the log on every pass.
          for (const r of opaque || plan.keepWhole ? [] : kept) {
            if (!r.tombstone) continue;
            const at = firstCleanedAt(history, r.offset) ?? now;
            const dueAt = at + config.deleteRetentionMs;
            if (tombstonesDueAt === undefined || dueAt < tombstonesDueAt) tombstonesDueAt = dueAt;
          }
        }
      }
      await pause();
      const why = gone();
      if (why) {
        out.abandon();
        return { kind: "abandoned", reason: why };
      }
      // From here to the replacement nothing yields: the log cannot change in between.
      out.commit(maxTimestamp);
    } catch (e) {
      out.abandon();
      throw e;
    }
    installSwap(
      log.dir,
      base,
      end,
      group.map((s) => s.baseOffset),
    );
    const { segment } = Segment.open(log.dir, base, config.indexIntervalBytes, true);
    segment.nextOffset = end;
    if (maxTimestamp > segment.maxTimestamp) segment.maxTimestamp = maxTimestamp;
    log.replaceSegments(group, segment);
    bytesAfter += segment.size;
    await pause();
  }
  saveCheckpoint(log.dir, tombstonesDueAt === undefined ? { history } : { history, tombstonesDueAt });
  return {
    kind: "cleaned",
    from: log.logStartOffset,
    to: cleanEnd,
    bytesBefore,
    bytesAfter,
    segmentsBefore: n,
    segmentsAfter: groups.length,
    recordsRemoved,
    ms: Date.now() - t0,
  };
}

/**
 * Runs `cleanLog` over the partitions every `backoffMs` (Kafka's log.cleaner.backoff.ms), one
 * partition at a time, never two passes at once.
 */
export class LogCleaner {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly partitions: () => PartitionLog[],
    private readonly log: (msg: string) => void,
  ) {}

  start(backoffMs: number): void {
    this.timer = setInterval(() => void this.pass(), backoffMs);
    this.timer.unref();
  }

  /** One pass over every compacted partition (also what the timer runs). */
  async pass(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (const p of this.partitions()) {
        if (this.stopped) break;
        if (!compacts(p.config)) continue;
        try {
          const r = await cleanLog(p);
          if (r.kind === "cleaned") {
            this.log(
              `cleaned ${p.topic}-${p.partition} [${r.from}, ${r.to}): ${r.segmentsBefore} segments, ` +
                `${r.bytesBefore} bytes → ${r.segmentsAfter}, ${r.bytesAfter}; ${r.recordsRemoved} records ` +
                `removed in ${r.ms} ms`,
            );
          } else if (r.kind === "abandoned")
            this.log(`cleaning ${p.topic}-${p.partition} abandoned: ${r.reason}`);
        } catch (e) {
          this.log(`cleaning ${p.topic}-${p.partition} failed: ${(e as Error).message}`);
        }
      }
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }
}
