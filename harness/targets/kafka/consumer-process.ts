/**
 * A Kafka consumer (of our log engine or any Kafka-protocol cluster) as its own OS process, so a scenario can kill -9 or pause it like
 * any node. It joins the consumer group with kafkajs, and for every fetched batch it reports what
 * it read to the harness over IPC — id ranges with their partition, first offset and the leader
 * epoch stamped on the record batch they came from (kafkajs keeps each record's batch header as
 * `batchContext`; the order checker tells a truncated-then-rewritten offset by it) — before the
 * batch is committed. A consumer killed between report and commit therefore causes redelivery
 * after the rebalance: the duplicates a pull log's at-least-once consumers are known for.
 * It also reports kafkajs's group events (joins, rebalances, crashes, request timeouts), so a
 * report can attribute a pause in deliveries to the client's group protocol.
 *
 * Run: node --import tsx harness/targets/kafka/consumer-process.ts --name consumer-1
 *        --brokers 127.0.0.1:9092 --topic t --group g [--session-timeout ms] [--heartbeat ms]
 *        [--max-wait ms]
 */

import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { serveProcess } from "../../../engines/shared/serve-process.ts";
import { decodePayload } from "../../generator/payload.ts";
import type { ConsumerGroupEvent } from "../target.ts";

/** One delivered run: [producer, fromSeq, toSeq, partition, firstOffset, leaderEpoch?]. */
export type DeliveredRun = [number, number, number, number, number, number?];

/** A fetched record as kafkajs hands it over; `batchContext` is its record batch's header. */
export interface FetchedRecord {
  offset: string;
  value: Buffer | null;
  batchContext?: { partitionLeaderEpoch?: number };
}

export interface ConsumerMessage {
  runs: DeliveredRun[];
  unparsed: number;
  sample?: string;
  /** Bodies whose checksum did not match, and the first of them. */
  corrupted?: number;
  corruptSample?: string;
}

/** A group event of this consumer, sent over IPC next to the deliveries. */
export interface GroupEventMessage {
  group: ConsumerGroupEvent;
}

/** kafkajs's instrumentation payloads, the fields the harness keeps. */
interface KafkajsEventPayloads {
  join: {
    memberId?: string;
    isLeader?: boolean;
    duration?: number;
    memberAssignment?: Record<string, number[]>;
  };
  rebalancing: { memberId?: string };
  crash: { error?: { type?: string; name?: string; message?: string }; restart?: boolean };
  requestTimeout: { apiName?: string; broker?: string };
}

/** The harness's view of one kafkajs instrumentation event. */
export function groupEventOf<K extends keyof KafkajsEventPayloads>(
  kind: K,
  p: KafkajsEventPayloads[K],
): ConsumerGroupEvent {
  switch (kind) {
    case "join": {
      const j = p as KafkajsEventPayloads["join"];
      return {
        event: "join",
        ...(j.memberId ? { memberId: j.memberId } : {}),
        leader: j.isLeader === true,
        ...(typeof j.duration === "number" ? { durationMs: j.duration } : {}),
        partitions: Object.values(j.memberAssignment ?? {})
          .flat()
          .sort((a, b) => a - b),
      };
    }
    case "rebalancing": {
      const r = p as KafkajsEventPayloads["rebalancing"];
      return { event: "rebalancing", ...(r.memberId ? { memberId: r.memberId } : {}) };
    }
    case "crash": {
      const c = p as KafkajsEventPayloads["crash"];
      const e = c.error;
      return {
        event: "crash",
        error: e?.type ?? e?.name ?? e?.message ?? "unknown",
        restart: c.restart === true,
      };
    }
    default: {
      const r = p as KafkajsEventPayloads["requestTimeout"];
      return { event: "request-timeout", error: `${r.apiName ?? "request"} to ${r.broker ?? "?"}` };
    }
  }
}

/**
 * Groups a batch's records into runs of one producer's consecutive seqs at consecutive offsets
 * and one leader epoch (a fetch may return several record batches of different epochs).
 */
export function runsOf(partition: number, records: readonly FetchedRecord[]): ConsumerMessage {
  const runs: DeliveredRun[] = [];
  let unparsed = 0;
  let corrupted = 0;
  let corruptSample: string | undefined;
  let sample: string | undefined;
  let cur: DeliveredRun | undefined;
  let lastOffset = -2;
  for (const r of records) {
    const offset = Number(r.offset);
    // Magic v2 batches carry the epoch; -1 (or a client without it) means unknown.
    const e = r.batchContext?.partitionLeaderEpoch;
    const epoch = e !== undefined && e >= 0 ? e : undefined;
    const id = r.value ? decodePayload(r.value.toString("latin1")) : undefined;
    if (!id) {
      unparsed++;
      sample ??= r.value?.toString("utf8").slice(0, 120) ?? "(null value)";
      cur = undefined;
      continue;
    }
    if (!id.intact) {
      corrupted++;
      corruptSample ??= r.value?.toString("utf8").slice(0, 120);
      cur = undefined;
      continue;
    }
    if (
      cur &&
      cur[0] === id.producer &&
      id.seq === cur[2] + 1 &&
      offset === lastOffset + 1 &&
      cur[5] === epoch
    ) {
      cur[2] = id.seq;
    } else {
      cur =
        epoch === undefined
          ? [id.producer, id.seq, id.seq, partition, offset]
          : [id.producer, id.seq, id.seq, partition, offset, epoch];
      runs.push(cur);
    }
    lastOffset = offset;
  }
  const out: ConsumerMessage = sample === undefined ? { runs, unparsed } : { runs, unparsed, sample };
  if (corrupted > 0) {
    out.corrupted = corrupted;
    if (corruptSample !== undefined) out.corruptSample = corruptSample;
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: "string" },
      brokers: { type: "string" },
      topic: { type: "string" },
      group: { type: "string" },
      "session-timeout": { type: "string", default: "10000" },
      "rebalance-timeout": { type: "string", default: "10000" },
      heartbeat: { type: "string", default: "1000" },
      "max-wait": { type: "string", default: "500" },
    },
  });
  const name = values.name ?? "consumer";
  if (!values.brokers || !values.topic || !values.group) {
    process.stderr.write("usage: consumer-process.ts --name N --brokers H:P --topic T --group G\n");
    process.exit(2);
  }
  const kafka = new Kafka({
    clientId: name,
    brokers: values.brokers.split(","),
    logLevel: logLevel.WARN,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const consumer = kafka.consumer({
    groupId: values.group,
    sessionTimeout: Number(values["session-timeout"]),
    rebalanceTimeout: Number(values["rebalance-timeout"]),
    heartbeatInterval: Number(values.heartbeat),
    maxWaitTimeInMs: Number(values["max-wait"]),
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const send = (m: ConsumerMessage | GroupEventMessage) =>
    new Promise<void>((resolve) => {
      if (!process.send) return resolve();
      process.send(m, undefined, undefined, () => resolve());
    });
  await serveProcess(name, async () => {
    let joined!: () => void;
    const ready = new Promise<void>((r) => {
      joined = r;
    });
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    const report =
      <K extends keyof KafkajsEventPayloads>(kind: K) =>
      (e: { payload: KafkajsEventPayloads[K] }) =>
        void send({ group: groupEventOf(kind, e.payload) });
    consumer.on(consumer.events.GROUP_JOIN, report("join"));
    consumer.on(consumer.events.REBALANCING, report("rebalancing"));
    consumer.on(consumer.events.CRASH, report("crash"));
    consumer.on(consumer.events.REQUEST_TIMEOUT, report("requestTimeout"));
    await consumer.connect();
    await consumer.subscribe({ topic: values.topic as string, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const msg = runsOf(batch.partition, batch.messages);
        if (msg.runs.length > 0 || msg.unparsed > 0 || msg.corrupted) await send(msg);
      },
    });
    await ready;
    // Leaving the group can wait on a rebalance the other consumers' departures started; the
    // run is over, so give it a moment and go.
    const stop = () =>
      Promise.race([consumer.disconnect(), new Promise<void>((r) => setTimeout(r, 1500).unref())]);
    return { ports: {}, stop };
  });
}

if (process.argv[1]?.endsWith("consumer-process.ts")) void main();
