/**
 * Reads one broker's own copy of a partition through the Kafka protocol (Fetch with the
 * debugging replica id −2, which any broker of a cluster answers from its local log whatever its
 * role) and lists its batches: base and last offset, leader epoch and CRC. The replica
 * divergence check compares these lists across brokers. For a compacted topic it also lists every
 * record's offset, key and a hash of its value: replicas clean on their own, so their batches
 * differ below the HW while what a consumer reads from them (each key's last value) must not.
 */

import { createHash } from "node:crypto";
import { ApiKey } from "../protocol/registry.ts";
import { checkBatch, Off, readInt64 } from "../records/record-batch.ts";
import { readRecords } from "../records/record-set.ts";
import { RawClient } from "./raw-client.ts";

export interface BatchSummary {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  crc: number;
}

export interface ReplicaDump {
  highWatermark: number;
  /** The replica's log start offset (retention may have deleted everything before it). */
  logStartOffset: number;
  /** LSO field of the debug answer carries the replica's log end offset. */
  logEndOffset: number;
  batches: BatchSummary[];
  /**
   * Compacted topics (when asked): every record in log order, key in base64, value as a hash
   * (null: tombstone); undefined when a batch's records could not be read (compression).
   */
  records?: RecordSummary[];
}

export interface RecordSummary {
  o: number;
  k: string;
  v: string | null;
}

/** The records of whole batches in `buf` at or after `from`; undefined if one cannot be read. */
export function summarizeRecords(buf: Buffer, from: number): RecordSummary[] | undefined {
  const out: RecordSummary[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const c = checkBatch(buf, pos, buf.length, false);
    if (!c.ok) break;
    const read = readRecords(buf, pos, c.size);
    if (!read) return undefined;
    for (const r of read.records) {
      if (r.offset < from) continue;
      out.push({
        o: r.offset,
        k: r.key === null ? "" : r.key.toString("base64"),
        v: r.value === null ? null : createHash("sha256").update(r.value).digest("hex").slice(0, 16),
      });
    }
    pos += c.size;
  }
  return out;
}

export function summarizeBatches(buf: Buffer): BatchSummary[] {
  const out: BatchSummary[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const c = checkBatch(buf, pos, buf.length, false);
    if (!c.ok) break;
    const base = readInt64(buf, pos + Off.baseOffset);
    out.push({
      baseOffset: base,
      lastOffset: base + c.lastOffsetDelta,
      epoch: buf.readInt32BE(pos + Off.partitionLeaderEpoch),
      crc: buf.readUInt32BE(pos + Off.crc),
    });
    pos += c.size;
  }
  return out;
}

/** Every batch of `topic`-`partition` on the broker at host:port (its local copy). */
export async function dumpReplica(
  host: string,
  port: number,
  topic: string,
  partition: number,
  opts: { records?: boolean } = {},
): Promise<ReplicaDump> {
  const client = await RawClient.connect(port, host);
  try {
    const batches: BatchSummary[] = [];
    let records: RecordSummary[] | undefined = opts.records ? [] : undefined;
    let offset = 0;
    let hw = -1;
    let leo = -1;
    let start = 0;
    for (;;) {
      const res = (await client.request(ApiKey.Fetch, 11, {
        replicaId: -2,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 8 * 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              {
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: offset,
                logStartOffset: -1,
                partitionMaxBytes: 8 * 1024 * 1024,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: "",
      })) as {
        responses: Array<{
          partitions: Array<{
            errorCode: number;
            highWatermark: number;
            lastStableOffset: number;
            logStartOffset: number;
            records: Buffer | null;
          }>;
        }>;
      };
      const p = res.responses[0]?.partitions[0];
      if (p?.errorCode !== 0) {
        // Retention deleted the start of this replica's log: read from where it now begins.
        if (p && p.errorCode === 1 && batches.length === 0 && Number(p.logStartOffset) > offset) {
          offset = Number(p.logStartOffset);
          start = offset;
          continue;
        }
        if (p && p.errorCode === 1 && offset > 0) break;
        throw new Error(
          `replica dump of ${topic}-${partition} at ${host}:${port}: error ${p?.errorCode ?? "no answer"}`,
        );
      }
      hw = p.highWatermark;
      if (batches.length === 0) start = Math.max(start, Number(p.logStartOffset));
      leo = p.lastStableOffset;
      const got = p.records ? summarizeBatches(p.records).filter((b) => b.lastOffset >= offset) : [];
      if (got.length === 0) break;
      batches.push(...got);
      if (records && p.records) {
        const more = summarizeRecords(p.records, offset);
        records = more ? records.concat(more) : undefined;
      }
      offset = got.at(-1)!.lastOffset + 1;
      if (offset >= leo) break;
    }
    return {
      highWatermark: hw,
      logStartOffset: start,
      logEndOffset: leo,
      batches,
      ...(opts.records ? { records } : {}),
    };
  } finally {
    client.close();
  }
}
