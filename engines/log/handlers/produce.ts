/**
 * Produce: append each partition's batch, then answer according to acks.
 *  acks=0  → append, send nothing;
 *  acks=1  → answer after the leader's append;
 *  acks=-1 → refuse with NOT_ENOUGH_REPLICAS when the ISR (here: this broker alone) is smaller than
 *            min.insync.replicas, else answer once the HW covers the batch. On one broker the HW
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

/** Size of the in-sync replica set of a partition led here (one broker: just the leader). */
const ISR_SIZE = 1;
/** Produce v7 is the first that may carry zstd batches (KIP-110). */
const ZSTD_MIN_VERSION = 7;

export function handleProduce(
  ctx: BrokerContext,
  req: ProduceRequest,
  header: RequestHeader,
): ProduceResponse | null {
  const acks = req.acks;
  const version = header.apiVersion;
  const validAcks = acks === 0 || acks === 1 || acks === -1;
  const tooFewReplicas = acks === -1 && ISR_SIZE < ctx.config.minInsyncReplicas;
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
      if (version < PRODUCE_MIN_SERVED) return fail(ErrorCode.UNSUPPORTED_VERSION);
      if (!validAcks) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
      const log = ctx.logs.partition(t.name, p.index);
      if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (tooFewReplicas) return fail(ErrorCode.NOT_ENOUGH_REPLICAS);
      if (p.records === null || p.records.length === 0) return fail(ErrorCode.INVALID_RECORD);
      if (
        version < ZSTD_MIN_VERSION &&
        p.records.length > Off.attributes + 2 &&
        compressionCodec(p.records, 0) === Codec.zstd
      ) {
        return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      }
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
