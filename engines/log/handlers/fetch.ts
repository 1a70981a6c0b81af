/**
 * Fetch with long poll. A pass reads whole batches below the HW from every requested partition
 * (partition_max_bytes each, max_bytes overall, but always at least one batch so a large batch
 * cannot stall a consumer). If the pass found fewer than min_bytes, the request parks until an
 * HW advance on one of its partitions or max_wait_ms, then makes a final pass. Logs are looked up
 * by name on every pass, so a topic deleted while a fetch waits yields an error, not a crash.
 * Without transactions the last stable offset equals the HW for both isolation levels.
 *
 * Records are never null on the wire: a partition with nothing to return (caught up, or an error)
 * carries an empty record set (size 0), as Kafka sends `MemoryRecords.EMPTY`. librdkafka rejects a
 * size of −1 ("invalid MessageSetSize -1") and would never see end-of-partition.
 */

import type { BrokerContext } from "../broker-context.ts";
import type { FetchPartitionResponse, FetchRequest, FetchResponse } from "../protocol/apis/fetch.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

/** Largest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const NO_RECORDS = Buffer.alloc(0);

function pass(
  ctx: BrokerContext,
  req: FetchRequest,
): { response: FetchResponse; bytes: number; errors: boolean } {
  let budget = req.maxBytes > 0 ? req.maxBytes : Number.MAX_SAFE_INTEGER;
  let bytes = 0;
  let errors = false;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): FetchPartitionResponse => {
      const log = ctx.logs.partition(t.topic, p.partition);
      if (!log) {
        errors = true;
        return {
          partitionIndex: p.partition,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: NO_RECORDS,
        };
      }
      // KIP-74: limits apply, except that the first batch of the response is sent whole even if it
      // is larger, so one oversized batch cannot stall a consumer forever.
      const limit = Math.min(p.partitionMaxBytes, budget);
      const first = bytes === 0;
      const r =
        limit > 0 || first
          ? log.read(p.fetchOffset, Math.max(limit, 0), first)
          : { errorCode: 0, records: null };
      if (r.errorCode !== 0) errors = true;
      if (r.records) {
        bytes += r.records.length;
        budget -= r.records.length;
      }
      return {
        partitionIndex: p.partition,
        errorCode: r.errorCode,
        highWatermark: log.highWatermark,
        lastStableOffset: log.highWatermark,
        logStartOffset: log.logStartOffset,
        abortedTransactions: req.isolationLevel === 1 ? [] : null,
        preferredReadReplica: -1,
        records: r.records ?? NO_RECORDS,
      };
    }),
  }));
  return { response: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses }, bytes, errors };
}

export function handleFetch(ctx: BrokerContext, req: FetchRequest): FetchResponse | Promise<FetchResponse> {
  const first = pass(ctx, req);
  if (first.bytes >= req.minBytes || first.errors || req.maxWaitMs <= 0) return first.response;
  return new Promise((resolve) => {
    const unsubscribe: Array<() => void> = [];
    let done = false;
    let scheduled = false;
    const finish = (final: boolean) => {
      if (done) return;
      const r = pass(ctx, req);
      if (!final && r.bytes < req.minBytes && !r.errors) return;
      done = true;
      clearTimeout(timer);
      for (const u of unsubscribe) u();
      resolve(r.response);
    };
    const recheck = () => {
      scheduled = false;
      finish(false);
    };
    // Re-check on the next turn, once however many HW moves (on however many partitions) this
    // turn brings: one produce request appending to several partitions is seen as a whole.
    const wake = () => {
      if (scheduled || done) return;
      scheduled = true;
      setImmediate(recheck);
    };
    // Timer delays above 2^31−1 ms would fire at once in Node; clamp them.
    const timer = setTimeout(() => finish(true), Math.min(req.maxWaitMs, MAX_TIMER_MS));
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const log = ctx.logs.partition(t.topic, p.partition);
        if (log) unsubscribe.push(log.onHighWatermark(wake));
      }
    }
  });
}
