/**
 * Durable committed offsets of consumer groups: an append-only file of checksummed records,
 * replayed on start (last write wins) and compacted by rewriting when mostly superseded. A torn
 * or corrupt tail record is dropped on replay, like a log segment's tail.
 *
 * File `__consumer_offsets/commits.log` => Record*
 *   Record => length INT32 crc UINT32 (CRC-32C of payload) payload (UTF-8 JSON {g,t,p,o,m})
 */

import { existsSync, ftruncateSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { closeFile, fsyncDir, fsyncFile, makeDir, openFile, renameFile } from "../../shared/file-io.ts";
import { crc32c } from "../records/crc32c.ts";

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

interface Entry {
  g: string;
  t: string;
  p: number;
  o: number;
  m: string | null;
}

const key = (g: string, t: string, p: number) => `${g}\u0000${t}\u0000${p}`;

export class OffsetStore {
  private readonly dir: string;
  private readonly file: string;
  private fd: number;
  private size = 0;
  private records = 0;
  private readonly live = new Map<string, Entry>();
  /** Records dropped from the tail during the last replay. */
  readonly droppedTail: boolean;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "__consumer_offsets");
    this.file = join(this.dir, "commits.log");
    if (!existsSync(this.dir)) {
      makeDir(this.dir);
      fsyncDir(dataDir);
    }
    let valid = 0;
    let dropped = false;
    if (existsSync(this.file)) {
      const data = readFileSync(this.file);
      let pos = 0;
      while (pos + 8 <= data.length) {
        const len = data.readInt32BE(pos);
        if (len < 0 || pos + 8 + len > data.length) break;
        if (crc32c(data, pos + 8, pos + 8 + len) !== data.readUInt32BE(pos + 4)) break;
        try {
          const e = JSON.parse(data.toString("utf8", pos + 8, pos + 8 + len)) as Entry;
          this.apply(e);
        } catch {
          break;
        }
        pos += 8 + len;
        this.records++;
      }
      valid = pos;
      dropped = pos < data.length;
    }
    this.droppedTail = dropped;
    const created = !existsSync(this.file);
    this.fd = openFile(this.file, created ? "w+" : "r+");
    if (created) fsyncDir(this.dir);
    if (dropped) ftruncateSync(this.fd, valid);
    this.size = valid;
  }

  private apply(e: Entry): void {
    if (e.o < 0) this.live.delete(key(e.g, e.t, e.p));
    else this.live.set(key(e.g, e.t, e.p), e);
  }

  private encode(e: Entry): Buffer {
    const payload = Buffer.from(JSON.stringify(e));
    const rec = Buffer.allocUnsafe(8 + payload.length);
    rec.writeInt32BE(payload.length, 0);
    rec.writeUInt32BE(crc32c(payload), 4);
    payload.copy(rec, 8);
    return rec;
  }

  /** Stores offsets (one write for the whole commit request). A negative offset deletes. */
  commit(
    group: string,
    entries: Array<{ topic: string; partition: number; offset: number; metadata: string | null }>,
  ) {
    if (entries.length === 0) return;
    const recs: Buffer[] = [];
    for (const x of entries) {
      const e: Entry = { g: group, t: x.topic, p: x.partition, o: x.offset, m: x.metadata };
      this.apply(e);
      recs.push(this.encode(e));
    }
    const buf = Buffer.concat(recs);
    writeSync(this.fd, buf, 0, buf.length, this.size);
    this.size += buf.length;
    this.records += entries.length;
    if (this.records > 1000 && this.records > 4 * this.live.size) this.compact();
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    const e = this.live.get(key(group, topic, partition));
    return e ? { offset: e.o, metadata: e.m } : undefined;
  }

  /** Every committed (topic, partition) of a group. */
  forGroup(group: string): Array<{ topic: string; partition: number } & CommittedOffset> {
    const out: Array<{ topic: string; partition: number } & CommittedOffset> = [];
    for (const e of this.live.values())
      if (e.g === group) out.push({ topic: e.t, partition: e.p, offset: e.o, metadata: e.m });
    return out;
  }

  /** Every entry whose topic `drop` names, by group (a cluster coordinator's deleted topics). */
  entriesWhere(drop: (topic: string) => boolean): Map<string, Array<{ topic: string; partition: number }>> {
    const out = new Map<string, Array<{ topic: string; partition: number }>>();
    for (const e of this.live.values()) {
      if (!drop(e.t)) continue;
      const list = out.get(e.g) ?? [];
      list.push({ topic: e.t, partition: e.p });
      out.set(e.g, list);
    }
    return out;
  }

  /** Forgets every group's offsets for a deleted topic. */
  deleteTopic(topic: string): void {
    const gone = [...this.live.values()].filter((e) => e.t === topic);
    for (const e of gone) this.commit(e.g, [{ topic, partition: e.p, offset: -1, metadata: null }]);
  }

  /** Replaces every entry by `table` (group → its offsets) and rewrites the file with them. */
  replaceAll(
    table: Map<
      string,
      Iterable<{ topic: string; partition: number; offset: number; metadata: string | null }>
    >,
  ): void {
    this.live.clear();
    for (const [g, entries] of table)
      for (const x of entries) this.apply({ g, t: x.topic, p: x.partition, o: x.offset, m: x.metadata });
    this.compact();
  }

  /** Rewrites the file with only live entries (atomic rename). */
  private compact(): void {
    const tmp = `${this.file}.tmp`;
    const fd = openFile(tmp, "w");
    const buf = Buffer.concat([...this.live.values()].map((e) => this.encode(e)));
    writeSync(fd, buf);
    fsyncFile(fd);
    closeFile(fd);
    renameFile(tmp, this.file);
    fsyncDir(this.dir);
    closeFile(this.fd);
    this.fd = openFile(this.file, "r+");
    this.size = buf.length;
    this.records = this.live.size;
  }

  flush(): void {
    fsyncFile(this.fd);
  }

  close(): void {
    this.flush();
    closeFile(this.fd);
  }
}
