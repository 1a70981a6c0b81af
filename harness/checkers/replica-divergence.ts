/**
 * Replica divergence: after a run, every replica of a partition must hold the same batches (same
 * offsets, leader epochs and CRCs) below the partition's final high watermark. A replica that
 * misses a committed batch, or holds a different one at the same offset, fails the run — that is
 * the kind of silent corruption KIP-101 fixed. Batches at or above the HW may differ (not yet
 * replicated, or about to be truncated). Below the latest log start offset any replica reports,
 * retention may have deleted batches on some replicas and not others, so only the range from there
 * to the HW is compared. Pure: takes what was read from each broker.
 *
 * Compacted topics (cleanup.policy=compact): every replica runs its own log cleaner, at its own
 * times and over its own segment boundaries (as in Kafka), so below the HW one replica may still
 * hold batches another has removed, or hold a batch with fewer records (a new CRC). What must
 * agree is what a consumer reading from the log start to the HW ends with: each key's last value
 * (a tombstone, or no record at all, meaning none). So for them the check compares those maps,
 * and, for the batches two replicas both still hold (same base offset), their last offset and
 * leader epoch — a batch from another leader at the same offset is still divergence. When a
 * replica's records could not be read (compression without a decoder), only that second part is
 * checked.
 */

export interface ReplicaBatches {
  broker: string;
  /** Where this replica's log begins (retention); 0 when not given. */
  logStartOffset?: number;
  batches: Array<{ baseOffset: number; lastOffset: number; epoch: number; crc: number }>;
  /** Compacted topics: every record (offset, key, value hash or null), in log order. */
  records?: Array<{ o: number; k: string; v: string | null }>;
}

export type DivergenceResult =
  | { ok: true; partition: string; highWatermark: number; replicas: number }
  | {
      ok: false;
      partition: string;
      highWatermark: number;
      replicas: number;
      problems: string[];
    };

export function checkReplicaDivergence(
  partition: string,
  highWatermark: number,
  replicas: ReplicaBatches[],
  opts: { compacted?: boolean } = {},
): DivergenceResult {
  if (opts.compacted) return checkCompacted(partition, highWatermark, replicas);
  const problems: string[] = [];
  const from = Math.max(0, ...replicas.map((r) => r.logStartOffset ?? 0));
  const below = (r: ReplicaBatches) =>
    r.batches.filter((b) => b.baseOffset >= from && b.baseOffset < highWatermark);
  const ref = replicas[0];
  if (ref) {
    const refBelow = below(ref);
    const covered = refBelow.at(-1)?.lastOffset ?? -1;
    if (highWatermark > from && covered < highWatermark - 1) {
      problems.push(`${ref.broker} holds offsets up to ${covered} but the HW is ${highWatermark}`);
    }
    for (const r of replicas.slice(1)) {
      const mine = below(r);
      const n = Math.max(mine.length, refBelow.length);
      for (let i = 0; i < n; i++) {
        const a = refBelow[i];
        const b = mine[i];
        if (!a || !b) {
          const missing = a ? r.broker : ref.broker;
          const at = (a ?? b)!.baseOffset;
          problems.push(`${missing} lacks the batch at offset ${at} below the HW ${highWatermark}`);
          break;
        }
        if (
          a.baseOffset !== b.baseOffset ||
          a.lastOffset !== b.lastOffset ||
          a.epoch !== b.epoch ||
          a.crc !== b.crc
        ) {
          problems.push(
            `${ref.broker} and ${r.broker} differ at offset ${Math.min(a.baseOffset, b.baseOffset)}: ` +
              `[${a.baseOffset}–${a.lastOffset} epoch ${a.epoch} crc ${a.crc}] vs [${b.baseOffset}–${b.lastOffset} epoch ${b.epoch} crc ${b.crc}]`,
          );
          break;
        }
      }
    }
  }
  const base = { partition, highWatermark, replicas: replicas.length };
  return problems.length === 0 ? { ok: true, ...base } : { ok: false, ...base, problems };
}

/** Each key's last value among records in [from, to); tombstones remove the key. */
function lastValues(records: NonNullable<ReplicaBatches["records"]>, from: number, to: number) {
  const m = new Map<string, string>();
  for (const r of records) {
    if (r.o < from || r.o >= to) continue;
    if (r.v === null) m.delete(r.k);
    else m.set(r.k, r.v);
  }
  return m;
}

function checkCompacted(
  partition: string,
  highWatermark: number,
  replicas: ReplicaBatches[],
): DivergenceResult {
  const problems: string[] = [];
  const from = Math.max(0, ...replicas.map((r) => r.logStartOffset ?? 0));
  const ref = replicas[0];
  if (ref) {
    const refBatches = new Map(
      ref.batches
        .filter((b) => b.baseOffset >= from && b.baseOffset < highWatermark)
        .map((b) => [b.baseOffset, b]),
    );
    const refMap = ref.records ? lastValues(ref.records, from, highWatermark) : undefined;
    for (const r of replicas.slice(1)) {
      for (const b of r.batches) {
        if (b.baseOffset < from || b.baseOffset >= highWatermark) continue;
        const a = refBatches.get(b.baseOffset);
        if (a && (a.lastOffset !== b.lastOffset || a.epoch !== b.epoch)) {
          problems.push(
            `${ref.broker} and ${r.broker} differ at offset ${b.baseOffset}: ` +
              `[${a.baseOffset}–${a.lastOffset} epoch ${a.epoch}] vs [${b.baseOffset}–${b.lastOffset} epoch ${b.epoch}]`,
          );
          break;
        }
      }
      if (!refMap || !r.records) continue;
      const mine = lastValues(r.records, from, highWatermark);
      const keys = new Set([...refMap.keys(), ...mine.keys()]);
      const differing = [...keys].filter((k) => refMap.get(k) !== mine.get(k));
      if (differing.length > 0) {
        const k = differing[0]!;
        problems.push(
          `${ref.broker} and ${r.broker} disagree on the last value of ${differing.length} key(s) below the ` +
            `HW ${highWatermark} (key ${Buffer.from(k, "base64").toString("utf8").slice(0, 40)}: ` +
            `${refMap.get(k) ?? "none"} vs ${mine.get(k) ?? "none"})`,
        );
      }
    }
  }
  const base = { partition, highWatermark, replicas: replicas.length };
  return problems.length === 0 ? { ok: true, ...base } : { ok: false, ...base, problems };
}
