/**
 * Replica divergence: after a run, every replica of a partition must hold the same batches (same
 * offsets, leader epochs and CRCs) below the partition's final high watermark. A replica that
 * misses a committed batch, or holds a different one at the same offset, fails the run — that is
 * the kind of silent corruption KIP-101 fixed. Batches at or above the HW may differ (not yet
 * replicated, or about to be truncated). Below the latest log start offset any replica reports,
 * retention may have deleted batches on some replicas and not others, so only the range from there
 * to the HW is compared. Pure: takes what was read from each broker.
 */

export interface ReplicaBatches {
  broker: string;
  /** Where this replica's log begins (retention); 0 when not given. */
  logStartOffset?: number;
  batches: Array<{ baseOffset: number; lastOffset: number; epoch: number; crc: number }>;
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
): DivergenceResult {
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
