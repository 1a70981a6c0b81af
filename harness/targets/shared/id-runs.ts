/**
 * Turns what a consumer read into compact id ranges, each a run of one producer's consecutive
 * sequence numbers in read order, so a report stays small however many messages it covers;
 * anything faultbench did not write is counted as unparsed, with one sample. When the engine
 * numbers its messages consecutively (a JetStream stream sequence) a run also needs consecutive
 * positions and carries its partition and first offset; Redis stream ids are not consecutive, so
 * its runs carry none.
 */

import { decodePayload } from "../../generator/payload.ts";

/** [producer, fromSeq, toSeq] or [producer, fromSeq, toSeq, partition, firstOffset]. */
export type IdRun = [number, number, number] | [number, number, number, number, number];

export interface RunsReport {
  runs: IdRun[];
  unparsed: number;
  sample?: string;
}

export interface ReadRecord {
  body: string | null | undefined;
  /** Partition and offset, for engines whose offsets are consecutive. */
  position?: { partition: number; offset: number };
}

export function idRuns(records: Iterable<ReadRecord>): RunsReport {
  const runs: IdRun[] = [];
  let unparsed = 0;
  let sample: string | undefined;
  let cur: IdRun | undefined;
  let last: ReadRecord["position"];
  for (const r of records) {
    const id = r.body ? decodePayload(r.body) : undefined;
    if (!id) {
      unparsed++;
      sample ??= r.body?.slice(0, 120) ?? "(no body)";
      cur = undefined;
      continue;
    }
    const p = r.position;
    const follows =
      cur !== undefined &&
      cur[0] === id.producer &&
      id.seq === cur[2] + 1 &&
      (p === undefined ||
        (last !== undefined && p.partition === last.partition && p.offset === last.offset + 1));
    if (cur && follows) cur[2] = id.seq;
    else {
      cur = p ? [id.producer, id.seq, id.seq, p.partition, p.offset] : [id.producer, id.seq, id.seq];
      runs.push(cur);
    }
    last = p;
  }
  return sample === undefined ? { runs, unparsed } : { runs, unparsed, sample };
}
