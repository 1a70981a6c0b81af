/**
 * Committed offsets as records of the replicated internal topic `__consumer_offsets` (Kafka's
 * design): the group coordinator is the leader of that topic's partition, one OffsetCommit is one
 * record batch appended there and acknowledged once the high watermark passes it (acks=all), and a
 * broker that becomes the leader rebuilds the offsets table by reading its replica of the log from
 * the start (the last record of a key wins; a null value removes it).
 *
 * Records: a commit's key = JSON [group, topic, partition], value = JSON {"o": offset, "m":
 * metadata} or null; a group's key = JSON [group], value = JSON of its GroupSnapshot (generation,
 * protocol, leader, members with subscriptions and assignments as base64), written when a
 * rebalance completes or the group becomes Empty (Kafka's GroupMetadata record), so a new
 * coordinator keeps the group's generation and members; a null value is the group deleted
 * (DeleteGroups, one batch with its offsets' tombstones). (Kafka's own key and value schemas are
 * binary; ours are JSON, which no client reads anyway.)
 */

import { buildBatch, parseBatches } from "../records/batch-builder.ts";
import { BATCH_HEADER_BYTES, batchLastOffset, batchSize } from "../records/record-batch.ts";
import type { GroupSnapshot } from "./group.ts";
import type { CommitEntry } from "./offset-commits.ts";

/** One uncompressed batch holding a group's commit, one record per partition (offset < 0: removal). */
export function encodeCommit(group: string, entries: CommitEntry[], now = Date.now()): Buffer {
  return buildBatch(
    entries.map((e) => ({
      key: Buffer.from(JSON.stringify([group, e.topic, e.partition])),
      value: e.offset < 0 ? null : Buffer.from(JSON.stringify({ o: e.offset, m: e.metadata })),
    })),
    { baseTimestamp: now },
  );
}

/** One batch holding a group's record (its generation, members and assignments). */
export function encodeGroup(group: string, s: GroupSnapshot, now = Date.now()): Buffer {
  const value = {
    type: s.protocolType,
    protocol: s.protocolName,
    generation: s.generationId,
    leader: s.leaderId,
    members: s.members.map((m) => ({
      id: m.memberId,
      instance: m.groupInstanceId,
      client: m.clientId,
      host: m.clientHost,
      session: m.sessionTimeoutMs,
      rebalance: m.rebalanceTimeoutMs,
      protocols: m.protocols.map((p) => [p.name, p.metadata.toString("base64")]),
      assignment: m.assignment.toString("base64"),
    })),
  };
  return buildBatch(
    [{ key: Buffer.from(JSON.stringify([group])), value: Buffer.from(JSON.stringify(value)) }],
    {
      baseTimestamp: now,
    },
  );
}

/** One batch deleting a group: a tombstone for each of its committed offsets, then its own. */
export function encodeGroupDeletion(
  group: string,
  offsets: Array<{ topic: string; partition: number }>,
  now = Date.now(),
): Buffer {
  return buildBatch(
    [
      ...offsets.map((e) => ({
        key: Buffer.from(JSON.stringify([group, e.topic, e.partition])),
        value: null,
      })),
      { key: Buffer.from(JSON.stringify([group])), value: null },
    ],
    { baseTimestamp: now },
  );
}

type Decoded =
  | ({ kind: "commit"; group: string } & CommitEntry)
  /** snapshot null: the group was deleted. */
  | { kind: "group"; group: string; snapshot: GroupSnapshot | null };

/** The commits in a blob of batches read from the offsets partition, in log order. */
export function decodeCommits(records: Buffer): Array<{ group: string } & CommitEntry> {
  const out: Array<{ group: string } & CommitEntry> = [];
  for (const d of decodeRecords(records)) if (d.kind === "commit") out.push(stripKind(d));
  return out;
}

/** The group records in a blob of batches, in log order (snapshot null: a deletion). */
export function decodeGroups(records: Buffer): Array<{ group: string; snapshot: GroupSnapshot | null }> {
  const out: Array<{ group: string; snapshot: GroupSnapshot | null }> = [];
  for (const d of decodeRecords(records))
    if (d.kind === "group") out.push({ group: d.group, snapshot: d.snapshot });
  return out;
}

function stripKind(d: { kind: "commit"; group: string } & CommitEntry): { group: string } & CommitEntry {
  return { group: d.group, topic: d.topic, partition: d.partition, offset: d.offset, metadata: d.metadata };
}

/** Every record of ours in a blob of batches, commits and group records, in log order. */
function decodeRecords(records: Buffer): Decoded[] {
  const out: Decoded[] = [];
  for (const r of parseBatches(records)) {
    if (r.key === null) continue;
    let key: unknown;
    let value: { o?: unknown; m?: unknown } | null;
    try {
      key = JSON.parse(r.key.toString("utf8"));
      value = r.value === null ? null : JSON.parse(r.value.toString("utf8"));
    } catch {
      // Not one of our records (someone produced to the internal topic): skip it, as Kafka does
      // with records of an unknown schema version.
      continue;
    }
    if (Array.isArray(key) && key.length === 1 && typeof key[0] === "string") {
      if (value === null) {
        out.push({ kind: "group", group: key[0], snapshot: null });
        continue;
      }
      const snapshot = snapshotFrom(value);
      if (snapshot) out.push({ kind: "group", group: key[0], snapshot });
      continue;
    }
    if (!Array.isArray(key) || key.length !== 3) continue;
    const [group, topic, partition] = key as [unknown, unknown, unknown];
    if (typeof group !== "string" || typeof topic !== "string" || typeof partition !== "number") continue;
    if (value === null) out.push({ kind: "commit", group, topic, partition, offset: -1, metadata: null });
    else if (typeof value.o === "number")
      out.push({
        kind: "commit",
        group,
        topic,
        partition,
        offset: value.o,
        metadata: typeof value.m === "string" ? value.m : null,
      });
  }
  return out;
}

/** A group record's value, or undefined when it is not one of ours. */
function snapshotFrom(v: unknown): GroupSnapshot | undefined {
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === "string" ? x : null);
  if (typeof o !== "object" || o === null || typeof o.generation !== "number" || !Array.isArray(o.members))
    return undefined;
  const members: GroupSnapshot["members"] = [];
  for (const m of o.members as Array<Record<string, unknown>>) {
    if (typeof m?.id !== "string" || !Array.isArray(m.protocols)) return undefined;
    members.push({
      memberId: m.id,
      groupInstanceId: str(m.instance),
      clientId: str(m.client) ?? "",
      clientHost: str(m.host) ?? "",
      sessionTimeoutMs: typeof m.session === "number" ? m.session : 10_000,
      rebalanceTimeoutMs: typeof m.rebalance === "number" ? m.rebalance : 10_000,
      protocols: (m.protocols as unknown[][]).map((p) => ({
        name: String(p[0]),
        metadata: Buffer.from(String(p[1] ?? ""), "base64"),
      })),
      assignment: Buffer.from(str(m.assignment) ?? "", "base64"),
    });
  }
  return {
    protocolType: str(o.type),
    protocolName: str(o.protocol),
    generationId: o.generation,
    leaderId: str(o.leader),
    members,
  };
}

/** What loading needs of a partition's log: batches read from an offset, up to an offset. */
export interface ReadableLog {
  logStartOffset: number;
  logEndOffset: number;
  read(
    offset: number,
    maxBytes: number,
    minOneBatch: boolean,
    upTo: number,
  ): { errorCode: number; records: Buffer | null };
}

/**
 * Replays the log from its start to its end (`upTo`, the LEO when loading began) into a table
 * group → "topic\0partition" → entry, reading `chunkBytes` at a time and yielding to the event loop
 * between chunks (a long log must not stall the broker). `stillWanted` is asked after each chunk:
 * false (leadership moved on) abandons the load and resolves undefined. `groups`, if given,
 * receives each group's last record (none when that record deletes the group).
 */
export async function loadCommits(
  log: ReadableLog,
  stillWanted: () => boolean,
  chunkBytes = 1 << 20,
  groups?: Map<string, GroupSnapshot>,
): Promise<Map<string, Map<string, CommitEntry>> | undefined> {
  const table = new Map<string, Map<string, CommitEntry>>();
  const upTo = log.logEndOffset;
  let offset = log.logStartOffset;
  while (offset < upTo) {
    const r = log.read(offset, chunkBytes, true, upTo);
    if (r.errorCode !== 0) throw new Error(`reading the offsets log at ${offset}: error ${r.errorCode}`);
    if (r.records === null || r.records.length === 0) break;
    for (const c of decodeRecords(r.records)) {
      if (c.kind === "group") {
        if (c.snapshot === null) groups?.delete(c.group);
        else groups?.set(c.group, c.snapshot);
        continue;
      }
      let g = table.get(c.group);
      if (!g) {
        g = new Map();
        table.set(c.group, g);
      }
      const k = `${c.topic}\u0000${c.partition}`;
      if (c.offset < 0) g.delete(k);
      else g.set(k, { topic: c.topic, partition: c.partition, offset: c.offset, metadata: c.metadata });
    }
    const last = lastOffsetIn(r.records, offset - 1);
    if (last < offset) break;
    offset = last + 1;
    await new Promise((res) => setImmediate(res));
    if (!stillWanted()) return undefined;
  }
  return table;
}

/** The last offset of the last whole batch in `records`. */
function lastOffsetIn(records: Buffer, fallback: number): number {
  let pos = 0;
  let last = fallback;
  while (records.length - pos >= BATCH_HEADER_BYTES) {
    const size = batchSize(records, pos);
    if (pos + size > records.length) break;
    last = batchLastOffset(records, pos);
    pos += size;
  }
  return last;
}
