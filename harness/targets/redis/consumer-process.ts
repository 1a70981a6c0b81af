/**
 * A Redis Streams consumer as its own OS process, so a scenario can kill -9 or pause it like any
 * node. It belongs to one consumer group over every stream: it first re-reads the entries it had
 * read but not acknowledged before (its pending list, after a restart), then reads new entries
 * with XREADGROUP, reports them to the harness over IPC and only then XACKs them. Every
 * `claim-idle / 2` it takes over entries that another consumer read and left pending for longer
 * than `claim-idle` (XAUTOCLAIM): how a group recovers the work of a consumer that died. A
 * consumer killed between report and ack therefore causes redelivery: at-least-once duplicates.
 * When the group is gone (a restarted Redis without persistence) it creates it again.
 *
 * Run: node --import tsx harness/targets/redis/consumer-process.ts --name consumer-1
 *        --port 6379 --streams s0,s1 --group g [--claim-idle ms] [--count n] [--block ms]
 */

import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { serveProcess } from "../../../engines/shared/serve-process.ts";
import { idRuns, type RunsReport } from "../shared/id-runs.ts";
import { ensureGroup } from "./group.ts";

/** An entry as ioredis returns it: [id, [field, value, ...]] (fields null for a deleted entry). */
type Entry = [string, string[] | null];

function bodyOf(fields: string[] | null): string | null {
  if (!fields) return null;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "v") return fields[i + 1] as string;
  return null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: "string" },
      port: { type: "string" },
      streams: { type: "string" },
      group: { type: "string" },
      "claim-idle": { type: "string", default: "3000" },
      count: { type: "string", default: "500" },
      block: { type: "string", default: "1000" },
    },
  });
  if (!values.name || !values.port || !values.streams || !values.group) {
    process.stderr.write("usage: consumer-process.ts --name N --port P --streams S1,S2 --group G\n");
    process.exit(2);
  }
  const name = values.name;
  const group = values.group;
  const streams = values.streams.split(",");
  const claimIdle = Number(values["claim-idle"]);
  const count = Number(values.count);
  const block = Number(values.block);
  const redis = new Redis({
    host: "127.0.0.1",
    port: Number(values.port),
    connectionName: name,
    lazyConnect: true,
    // Commands go out only on a ready connection: ioredis loses the reply of a blocking read it
    // queued while disconnected, and an unanswered command must not wait for its timeout.
    enableOfflineQueue: false,
    // Without the ready check, a restarted Redis still loading its append-only file answers
    // LOADING at once, instead of ioredis polling INFO for up to a second.
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // A blocked read that a cut link never answers must still end.
    commandTimeout: block + 2000,
    retryStrategy: () => 200,
  });
  redis.on("error", () => undefined);
  let stopping = false;

  const report = (m: RunsReport) =>
    new Promise<void>((resolve) => {
      if (!process.send) return resolve();
      process.send(m, undefined, undefined, () => resolve());
    });

  /** Reports the entries, then acknowledges them. */
  const handle = async (stream: string, entries: readonly Entry[]) => {
    if (entries.length === 0) return;
    const m = idRuns(entries.map(([, fields]) => bodyOf(fields)));
    if (m.runs.length > 0 || m.unparsed > 0) await report(m);
    await redis.xack(stream, group, ...entries.map(([id]) => id));
  };

  /** A command whose connection drops is not answered; give up on it when the connection closes. */
  const orClosed = <T>(p: Promise<T>): Promise<T> => {
    let onClose!: () => void;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new Error("connection closed"));
      redis.once("close", onClose);
    });
    return Promise.race([p, closed]).finally(() => redis.off("close", onClose));
  };

  const claimCursor = new Map<string, string>(streams.map((s) => [s, "0-0"]));
  const claim = async () => {
    for (const s of streams) {
      const [next, entries] = (await redis.xautoclaim(
        s,
        group,
        name,
        claimIdle,
        claimCursor.get(s) ?? "0-0",
        "COUNT",
        count,
      )) as [string, Entry[]];
      claimCursor.set(s, next);
      await handle(s, entries);
    }
  };

  const loop = async () => {
    let pendingFirst = true;
    let lastClaim = Date.now();
    while (!stopping) {
      try {
        if (redis.status !== "ready") {
          await sleep(20);
          continue;
        }
        // After a restart, the entries this consumer read before dying come first (id 0).
        const ids = streams.map(() => (pendingFirst ? "0" : ">"));
        const res = (await orClosed(
          pendingFirst
            ? redis.xreadgroup("GROUP", group, name, "COUNT", count, "STREAMS", ...streams, ...ids)
            : redis.xreadgroup(
                "GROUP",
                group,
                name,
                "COUNT",
                count,
                "BLOCK",
                block,
                "STREAMS",
                ...streams,
                ...ids,
              ),
        )) as [string, Entry[]][] | null;
        let read = 0;
        for (const [stream, entries] of res ?? []) {
          read += entries.length;
          await handle(stream, entries);
        }
        if (pendingFirst && read === 0) pendingFirst = false;
        if (Date.now() - lastClaim >= claimIdle / 2) {
          lastClaim = Date.now();
          await claim();
        }
      } catch (e) {
        if (stopping) return;
        const msg = (e as Error).message;
        process.stderr.write(`${new Date().toISOString()} [${name}] ${msg}\n`);
        // A restarted Redis that kept nothing has no group: make it again and go on.
        if (/NOGROUP/.test(msg)) await ensureGroup(redis, streams, group).catch(() => undefined);
        else await sleep(100);
      }
    }
  };

  await serveProcess(name, async () => {
    await redis.connect();
    await ensureGroup(redis, streams, group);
    const running = loop();
    return {
      ports: {},
      stop: async () => {
        stopping = true;
        redis.disconnect();
        await running;
      },
    };
  });
}

if (process.argv[1]?.endsWith("redis/consumer-process.ts")) void main();
