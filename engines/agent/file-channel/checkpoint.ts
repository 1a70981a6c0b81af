/**
 * The file channel's checkpoint: a snapshot of the queue as pointers into the log (like Flume's
 * checkpoint + inflightputs/inflighttakes files), taken at a known log position. Replay starts from
 * the snapshot and applies only the records written after that position, so restart time does not
 * grow with the log's history, and log files that no pointer refers to can be deleted.
 *
 *     "FBCP" u32 version=1 | f64 fileId f64 offset | u32 n, n × f64 pointer       (queue, head first)
 *     | u32 nTx, nTx × (f64 txId, u32 n, n × f64 pointer)                          (in-flight puts)
 *     | u32 nTx, nTx × (f64 txId, u32 n, n × f64 pointer)                          (in-flight takes)
 *     | u32 crc32 of everything before
 *
 * It is written to a temporary file, fsynced and renamed over the old one, so a crash leaves either
 * the old or the new checkpoint, never half of one.
 */

import { existsSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { noteCreated, noteSynced, renameFile } from "../../shared/file-io.ts";
import { syncDir } from "./log-writer.ts";

export interface Checkpoint {
  /** Log position the snapshot reflects: records before it are already applied. */
  fileId: number;
  offset: number;
  /** Committed events not yet taken-and-committed, in queue order. */
  queue: number[];
  inflightPuts: Map<number, number[]>;
  inflightTakes: Map<number, number[]>;
}

const MAGIC = 0x50434246; // "FBCP" little-endian
const FILE = "checkpoint";

export function encodeCheckpoint(c: Checkpoint): Buffer {
  let n = 4 + 4 + 16 + 4 + c.queue.length * 8 + 4 + 4 + 4;
  for (const m of [c.inflightPuts, c.inflightTakes]) for (const v of m.values()) n += 12 + v.length * 8;
  const b = Buffer.allocUnsafe(n);
  let p = b.writeUInt32LE(MAGIC, 0);
  p = b.writeUInt32LE(1, p);
  p = b.writeDoubleLE(c.fileId, p);
  p = b.writeDoubleLE(c.offset, p);
  p = b.writeUInt32LE(c.queue.length, p);
  for (const k of c.queue) p = b.writeDoubleLE(k, p);
  for (const m of [c.inflightPuts, c.inflightTakes]) {
    p = b.writeUInt32LE(m.size, p);
    for (const [tx, v] of m) {
      p = b.writeDoubleLE(tx, p);
      p = b.writeUInt32LE(v.length, p);
      for (const k of v) p = b.writeDoubleLE(k, p);
    }
  }
  b.writeUInt32LE(crc32(b.subarray(0, p)), p);
  return b;
}

export function decodeCheckpoint(b: Buffer): Checkpoint {
  if (b.length < 36 || b.readUInt32LE(0) !== MAGIC) throw new Error("not a checkpoint file");
  if (crc32(b.subarray(0, b.length - 4)) !== b.readUInt32LE(b.length - 4))
    throw new Error("checkpoint CRC mismatch");
  let p = 8;
  const fileId = b.readDoubleLE(p);
  const offset = b.readDoubleLE(p + 8);
  p += 16;
  const queue: number[] = new Array(b.readUInt32LE(p));
  p += 4;
  for (let i = 0; i < queue.length; i++, p += 8) queue[i] = b.readDoubleLE(p);
  const maps: Map<number, number[]>[] = [];
  for (let m = 0; m < 2; m++) {
    const map = new Map<number, number[]>();
    const nTx = b.readUInt32LE(p);
    p += 4;
    for (let t = 0; t < nTx; t++) {
      const tx = b.readDoubleLE(p);
      const v: number[] = new Array(b.readUInt32LE(p + 8));
      p += 12;
      for (let i = 0; i < v.length; i++, p += 8) v[i] = b.readDoubleLE(p);
      map.set(tx, v);
    }
    maps.push(map);
  }
  return { fileId, offset, queue, inflightPuts: maps[0] ?? new Map(), inflightTakes: maps[1] ?? new Map() };
}

/** Reads the checkpoint in `dir`, or undefined when there is none yet. */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const path = join(dir, FILE);
  if (!existsSync(path)) return undefined;
  return decodeCheckpoint(await readFile(path));
}

/** Atomically replaces the checkpoint in `dir`. */
export async function writeCheckpoint(dir: string, c: Checkpoint): Promise<void> {
  const tmp = join(dir, `${FILE}.tmp`);
  const fh = await open(tmp, "w");
  noteCreated(tmp);
  try {
    await fh.writeFile(encodeCheckpoint(c));
    await fh.sync();
    noteSynced(tmp);
  } finally {
    await fh.close();
  }
  renameFile(tmp, join(dir, FILE));
  syncDir(dir);
}
