/**
 * The log cleaner's decisions, pure (cleanup.policy=compact; Kafka's LogCleaner). Which segments
 * may be cleaned: the closed ones wholly below the high watermark — never the active segment,
 * never what followers and consumers may not see yet. When: once the bytes not yet cleaned reach
 * `min.cleanable.dirty.ratio` of the cleanable bytes, or a kept tombstone has outlived
 * `delete.retention.ms`. What survives, record by record: the last record of each key across the
 * whole cleanable range (offsets are kept, so the log gets gaps and is never renumbered); a
 * tombstone (null value) until `delete.retention.ms` after the cleaning that first passed over
 * it; never a record without a key (Produce refuses them on compacted topics, as Kafka does, so
 * they can only predate the policy, and Kafka's cleaner drops them too). Whole batches are kept
 * when their records cannot be read (snappy, lz4, zstd: no decoder here), when they are an
 * idempotent producer's last batch (its sequence numbers are the producer state a restart
 * rebuilds from the log) and when they are the log's last batch (so the log end offset a follower
 * reaches by copying the log is the leader's).
 *
 * The I/O part (log-cleaner.ts) streams batches through `noteLastOffsets` (first pass) and
 * `batchFate` (second pass); `planCleaning` composes the two for a list held in memory.
 */

export interface PlanRecord {
  offset: number;
  /** The key's bytes as a latin1 string (one character per byte); null: no key. */
  key: string | null;
  tombstone: boolean;
}

export interface PlanBatch {
  baseOffset: number;
  lastOffset: number;
  /** Undefined when the records cannot be read (compression without a decoder here). */
  records: PlanRecord[] | undefined;
  /** An idempotent producer's last batch, or the log's last batch: kept as it is. */
  keepWhole?: boolean;
}

/** keep: as it is; drop: none of its records survive; filter: only the records at `keep` (indexes). */
export type BatchFate = { kind: "keep" } | { kind: "drop" } | { kind: "filter"; keep: number[] };

/** First pass: records the offset of each key's last record (batches in log order). */
export function noteLastOffsets(lastOffsetOf: Map<string, number>, batch: PlanBatch): void {
  if (!batch.records) return;
  for (const r of batch.records) if (r.key !== null) lastOffsetOf.set(r.key, r.offset);
}

/** Second pass: what becomes of one batch. `tombstoneExpired` is asked about kept tombstones only. */
export function batchFate(
  batch: PlanBatch,
  lastOffsetOf: ReadonlyMap<string, number>,
  tombstoneExpired: (offset: number) => boolean,
): BatchFate {
  if (!batch.records || batch.keepWhole) return { kind: "keep" };
  const keep: number[] = [];
  batch.records.forEach((r, i) => {
    if (r.key === null || lastOffsetOf.get(r.key) !== r.offset) return;
    if (r.tombstone && tombstoneExpired(r.offset)) return;
    keep.push(i);
  });
  if (keep.length === batch.records.length) return { kind: "keep" };
  if (keep.length === 0) return { kind: "drop" };
  return { kind: "filter", keep };
}

/**
 * The offsets below `end` (and at or above the previous entry's end) were first cleaned at `at`
 * (ms). The cleaner's checkpoint keeps this list, so a tombstone's clock starts at its first
 * cleaning whatever later cleanings merge or rewrite its segment.
 */
export interface CleanedRange {
  end: number;
  at: number;
}

/** When the cleaning that first passed over `offset` ran; undefined: never cleaned yet. */
export function firstCleanedAt(history: readonly CleanedRange[], offset: number): number | undefined {
  for (const h of history) if (offset < h.end) return h.at;
  return undefined;
}

/** Where the part never cleaned begins. */
export function firstDirtyOffset(history: readonly CleanedRange[]): number {
  return history.at(-1)?.end ?? 0;
}

/**
 * The history after a cleaning up to `end` at `now`. Ranges whose tombstones have all expired are
 * merged into one (their exact times no longer matter), so the list stays as short as the number
 * of cleanings within `delete.retention.ms`.
 */
export function recordCleaning(
  history: readonly CleanedRange[],
  end: number,
  now: number,
  deleteRetentionMs: number,
): CleanedRange[] {
  const out = history.filter((h) => h.end <= end);
  if (end > firstDirtyOffset(out)) out.push({ end, at: now });
  const merged: CleanedRange[] = [];
  for (const h of out) {
    const prev = merged.at(-1);
    const expired = (x: CleanedRange) => now - x.at >= deleteRetentionMs;
    if (prev && expired(prev) && expired(h))
      merged[merged.length - 1] = { end: h.end, at: Math.max(prev.at, h.at) };
    else merged.push({ ...h });
  }
  return merged;
}

/** Whether a tombstone at `offset` may go: its first cleaning is `delete.retention.ms` old. */
export function tombstoneExpired(
  history: readonly CleanedRange[],
  offset: number,
  now: number,
  deleteRetentionMs: number,
): boolean {
  const at = firstCleanedAt(history, offset);
  return at !== undefined && now - at >= deleteRetentionMs;
}

export interface SegmentInfo {
  baseOffset: number;
  /** Offset after the segment (the next segment's base for a closed one). */
  nextOffset: number;
  size: number;
}

/** How many leading segments may be cleaned: closed (not the last) and wholly below the HW. */
export function cleanableCount(segments: readonly SegmentInfo[], highWatermark: number): number {
  let n = 0;
  while (n < segments.length - 1 && segments[n]!.nextOffset <= highWatermark) n++;
  return n;
}

/** Share of the cleanable bytes not cleaned yet (segments at or after `firstDirty`). */
export function dirtyRatio(cleanable: readonly SegmentInfo[], firstDirty: number): number {
  let dirty = 0;
  let total = 0;
  for (const s of cleanable) {
    total += s.size;
    if (s.nextOffset > firstDirty) dirty += s.size;
  }
  return total === 0 ? 0 : dirty / total;
}

/** Whether the cleaner should clean now (`tombstonesDueAt`: when a kept tombstone expires). */
export function shouldClean(
  cleanable: readonly SegmentInfo[],
  firstDirty: number,
  minDirtyRatio: number,
  tombstonesDueAt: number | undefined,
  now: number,
): boolean {
  if (cleanable.length === 0) return false;
  const dirty = cleanable.some((s) => s.nextOffset > firstDirty && s.size > 0);
  if (dirty && dirtyRatio(cleanable, firstDirty) >= minDirtyRatio) return true;
  return tombstonesDueAt !== undefined && now >= tombstonesDueAt;
}

/**
 * Consecutive segments cleaned into one file each: as many as fit in `maxBytes` together (before
 * cleaning, as Kafka groups them) and whose offsets fit a segment's 32-bit relative index. Cleaned
 * segments shrink, so a later cleaning merges them. Returns [first, end) index pairs.
 */
export function groupSegments(segments: readonly SegmentInfo[], maxBytes: number): Array<[number, number]> {
  const groups: Array<[number, number]> = [];
  let i = 0;
  while (i < segments.length) {
    let j = i + 1;
    let bytes = segments[i]!.size;
    while (
      j < segments.length &&
      bytes + segments[j]!.size <= maxBytes &&
      segments[j]!.nextOffset - segments[i]!.baseOffset < 2 ** 31 - 1
    ) {
      bytes += segments[j]!.size;
      j++;
    }
    groups.push([i, j]);
    i = j;
  }
  return groups;
}

/** Both passes over batches held in memory (the cleanable range, in log order). */
export function planCleaning(
  batches: readonly PlanBatch[],
  expired: (offset: number) => boolean,
): BatchFate[] {
  const last = new Map<string, number>();
  for (const b of batches) noteLastOffsets(last, b);
  // A batch whose keys cannot be read may hold a newer record of a key a tombstone removes:
  // dropping the tombstone could bring an older value back, so tombstones stay.
  const opaque = batches.some((b) => !b.records);
  return batches.map((b) => batchFate(b, last, opaque ? () => false : expired));
}
