/**
 * Reads one broker's own copy of a partition through the Kafka protocol (Fetch with the
 * debugging replica id −2, which any broker of a cluster answers from its local log whatever its
 * role) and lists its batches: base and last offset, leader epoch and CRC. The replica
 * divergence check compares these lists across brokers.
 */

import { ApiKey } from "../protocol/registry.ts";
import { checkBatch, Off, readInt64 } from "../records/record-batch.ts";
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
): Promise<ReplicaDump> {
  const client = await RawClient.connect(port, host);
  try {
    const batches: BatchSummary[] = [];
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
      offset = got.at(-1)!.lastOffset + 1;
      if (offset >= leo) break;
    }
    return { highWatermark: hw, logStartOffset: start, logEndOffset: leo, batches };
  } finally {
    client.close();
  }
}
