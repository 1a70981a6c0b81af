/**
 * Turns what a consumer read into compact id ranges, [producer, fromSeq, toSeq], each a run of one
 * producer's consecutive sequence numbers in read order, so a report stays small however many
 * messages it covers; anything faultbench did not write is counted as unparsed, with one sample.
 * The peers' positions (Redis stream ids, JetStream sequences that restart with a memory stream)
 * are not consecutive offsets, so unlike the log's reports these runs carry none.
 */

import { decodePayload } from "../../generator/payload.ts";

export type IdRun = [number, number, number];

export interface RunsReport {
  runs: IdRun[];
  unparsed: number;
  sample?: string;
}

export function idRuns(bodies: Iterable<string | null | undefined>): RunsReport {
  const runs: IdRun[] = [];
  let unparsed = 0;
  let sample: string | undefined;
  let cur: IdRun | undefined;
  for (const body of bodies) {
    const id = body ? decodePayload(body) : undefined;
    if (!id) {
      unparsed++;
      sample ??= body?.slice(0, 120) ?? "(no body)";
      cur = undefined;
      continue;
    }
    if (cur && cur[0] === id.producer && id.seq === cur[2] + 1) cur[2] = id.seq;
    else {
      cur = [id.producer, id.seq, id.seq];
      runs.push(cur);
    }
  }
  return sample === undefined ? { runs, unparsed } : { runs, unparsed, sample };
}
