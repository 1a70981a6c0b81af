/**
 * Rebuilds the file channel's queue after a restart (Flume's ReplayHandler): start from the
 * checkpoint's snapshot, then apply every record written after its position, file by file.
 * Committed puts are restored; puts of transactions that never committed are dropped; events whose
 * take never committed stay in the queue at the head, so they are delivered again (duplicates
 * downstream, as Flume warns). A torn or corrupt record ends its file: the file is truncated there.
 */

import { open, readdir, truncate } from "node:fs/promises";
import { join } from "node:path";
import type { AgentEvent } from "../event.ts";
import type { Checkpoint } from "./checkpoint.ts";
import { logFileId } from "./log-writer.ts";
import { COMMIT, PUT, pointerKey, ROLLBACK, readRecord, TAKE } from "./record.ts";

export interface ReplayResult {
  /** Queue after replay, head first: pointer and event. */
  queue: { key: number; event: AgentEvent }[];
  /** Log file ids found, ascending. */
  files: number[];
  /** Events taken by transactions that never committed; they are back in the queue. */
  uncommittedTakes: number;
  /** Puts of transactions that never committed; dropped. */
  droppedPuts: number;
  /** Files truncated at a torn or corrupt record, with the offset cut at. */
  truncated: { fileId: number; offset: number }[];
  /** Records applied after the checkpoint position. */
  records: number;
}

const READ = 1 << 20;

export async function replay(
  dataDir: string,
  cp: Checkpoint | undefined,
  log: (m: string) => void,
): Promise<ReplayResult> {
  const files = (await readdir(dataDir))
    .map(logFileId)
    .filter((id): id is number => id !== undefined)
    .sort((a, b) => a - b);
  // Committed and not take-committed, in put order (a Set keeps insertion order).
  const live = new Set<number>(cp?.queue ?? []);
  const puts = new Map<number, number[]>(cp?.inflightPuts ?? []);
  const takes = new Map<number, number[]>(cp?.inflightTakes ?? []);
  const events = new Map<number, AgentEvent>();
  const start = cp ? pointerKey(cp.fileId, cp.offset) : 0;
  const wanted = new Set<number>(live);
  for (const v of puts.values()) for (const k of v) wanted.add(k);
  const truncated: { fileId: number; offset: number }[] = [];
  let records = 0;

  for (const fileId of files) {
    const path = join(dataDir, `log-${fileId}`);
    const fh = await open(path, "r");
    let buf = Buffer.allocUnsafe(READ);
    let have = 0; // bytes valid in buf
    let base = 0; // file offset of buf[0]
    let at = 0; // parse position in buf
    let eof = false;
    let cut: number | undefined;
    try {
      for (;;) {
        const key = pointerKey(fileId, base + at);
        const before = key < start;
        const r = readRecord(buf, at, have, !before || wanted.has(key));
        if (r === "short") {
          if (eof) {
            if (at < have) cut = base + at;
            break;
          }
          // Keep the partial record, make room, read more.
          const rest = buf.subarray(at, have);
          if (rest.length * 2 > buf.length) buf = Buffer.concat([rest], buf.length * 2);
          else rest.copy(buf, 0);
          base += at;
          have = rest.length;
          at = 0;
          const { bytesRead } = await fh.read(buf, have, buf.length - have, base + have);
          have += bytesRead;
          if (bytesRead === 0) eof = true;
          continue;
        }
        if (r === "corrupt") {
          cut = base + at;
          break;
        }
        at += r.size;
        if (before) {
          if (r.type === PUT && wanted.has(key)) events.set(key, r.event);
          continue;
        }
        records++;
        switch (r.type) {
          case PUT: {
            events.set(key, r.event);
            const l = puts.get(r.txId);
            if (l) l.push(key);
            else puts.set(r.txId, [key]);
            break;
          }
          case TAKE: {
            const l = takes.get(r.txId);
            if (l) l.push(r.pointer);
            else takes.set(r.txId, [r.pointer]);
            break;
          }
          case COMMIT: {
            for (const k of puts.get(r.txId) ?? []) live.add(k);
            for (const k of takes.get(r.txId) ?? []) {
              live.delete(k);
              events.delete(k);
            }
            puts.delete(r.txId);
            takes.delete(r.txId);
            break;
          }
          case ROLLBACK:
            for (const k of puts.get(r.txId) ?? []) events.delete(k);
            puts.delete(r.txId);
            takes.delete(r.txId);
            break;
        }
      }
    } finally {
      await fh.close();
    }
    if (cut !== undefined) {
      log(
        `file channel replay: torn or corrupt record in ${path} at offset ${cut}; truncating the log there`,
      );
      await truncate(path, cut);
      truncated.push({ fileId, offset: cut });
    }
  }

  let uncommittedTakes = 0;
  for (const v of takes.values()) for (const k of v) if (live.has(k)) uncommittedTakes++;
  let droppedPuts = 0;
  for (const v of puts.values()) droppedPuts += v.length;
  if (uncommittedTakes > 0) {
    log(
      `file channel replay: ${uncommittedTakes} events were taken by transactions that never committed; they are back in the channel. Duplicate messages will exist in destination.`,
    );
  }
  const queue: { key: number; event: AgentEvent }[] = [];
  let missing = 0;
  for (const key of live) {
    const event = events.get(key);
    if (event === undefined) missing++;
    else queue.push({ key, event });
  }
  if (missing > 0)
    log(
      `file channel replay: ${missing} queued events point at log data that no longer exists; they are lost`,
    );
  return { queue, files, uncommittedTakes, droppedPuts, truncated, records };
}
