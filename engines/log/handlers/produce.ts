/**
 * Produce: append each partition's batch, then answer according to acks.
 *  acks=0  → append, send nothing;
 *  acks=1  → answer after the leader's append;
 *  acks=-1 → refuse with NOT_ENOUGH_REPLICAS when the ISR (here: this broker alone) is smaller than
 *            the topic's min.insync.replicas (its override, else the broker's), else answer once the HW covers the batch. On one broker the HW
 *            moves with the append, so this is immediate; the wait is written for followers later.
 * Versions 0–2 (the old message formats) are advertised but refused per partition with
 * UNSUPPORTED_VERSION, and zstd needs v7+ (UNSUPPORTED_COMPRESSION_TYPE), as in Kafka.
 */

import type { BrokerContext } from "../broker-context.ts";
import {
  PRODUCE_MIN_SERVED,
  type ProducePartitionResponse,
  type ProduceRequest,
  type ProduceResponse,
} from "../protocol/apis/produce.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { RequestHeader } from "../protocol/header.ts";
import { Codec, compressionCodec, Off } from "../records/record-batch.ts";
import { topicMinIsr } from "../topic-configs.ts";

/** Size of the in-sync replica set of a partition led here (one broker: just the leader). */
const ISR_SIZE = 1;
/** Produce v7 is the first that may carry zstd batches (KIP-110). */
const ZSTD_MIN_VERSION = 7;

/**
 * What the request version alone rules out for a partition's records (0 = nothing): v0–2 are not
 * served, zstd needs v7+. Shared with the cluster's produce handler.
 */
export function refusedForVersion(version: number, records: Buffer | null): number {
  if (version < PRODUCE_MIN_SERVED) return ErrorCode.UNSUPPORTED_VERSION;
  if (
    version < ZSTD_MIN_VERSION &&
    records !== null &&
    records.length > Off.attributes + 2 &&
    compressionCodec(records, 0) === Codec.zstd
  ) {
    return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
  }
  return 0;
}

export function handleProduce(
  ctx: BrokerContext,
  req: ProduceRequest,
  header: RequestHeader,
): ProduceResponse | null {
  const acks = req.acks;
  const version = header.apiVersion;
  const validAcks = acks === 0 || acks === 1 || acks === -1;
  const responses = req.topicData.map((t) => ({
    name: t.name,
    partitionResponses: t.partitionData.map((p): ProducePartitionResponse => {
      const fail = (errorCode: number) => ({
        index: p.index,
        errorCode,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
      });
      const refused = refusedForVersion(version, p.records);
      if (refused !== 0) return fail(refused);
      if (!validAcks) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
      const log = ctx.logs.partition(t.name, p.index);
      if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      const minIsr = topicMinIsr(ctx.logs.topic(t.name)?.meta.configs, ctx.config.minInsyncReplicas);
      if (acks === -1 && ISR_SIZE < minIsr) return fail(ErrorCode.NOT_ENOUGH_REPLICAS);
      if (p.records === null || p.records.length === 0) return fail(ErrorCode.INVALID_RECORD);
      const r = log.append(p.records);
      if (r.errorCode !== 0 || !("baseOffset" in r)) return fail(r.errorCode);
      // Single replica: the ISR is {leader}, so the HW is the LEO as soon as the append is done.
      log.advanceHighWatermark(log.logEndOffset);
      return {
        index: p.index,
        errorCode: 0,
        baseOffset: r.baseOffset,
        logAppendTimeMs: -1,
        logStartOffset: log.logStartOffset,
      };
    }),
  }));
  if (acks === 0) return null;
  return { responses, throttleTimeMs: 0 };
}
