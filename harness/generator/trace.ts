/**
 * Recorded workload shapes for replay: NDJSON rows `{"t": 12.5, "key": "k1", "size": 120}` or CSV
 * rows `t,key,size` (t is the offset in ms from the first row; key and size optional), or the
 * sends of an earlier faultbench run's history.ndjson (each message of each `invoke`, at its send
 * time). Parsing is pure; the schedule replays the rows at `speed`, looping when asked, with the
 * same open-loop, intended-time sending as a rate.
 */

import { readFileSync } from "node:fs";

export interface TraceRows {
  /** Offsets from the first row, µs, non-decreasing. */
  offsetUs: Float64Array;
  /** Per row: the key, or undefined. */
  keys: (string | undefined)[];
  /** Per row: the message size in bytes, or 0 for the scenario's messageSize. */
  sizes: Int32Array;
  /** Length of one pass (µs): the last offset plus the mean gap, so a loop keeps the mean rate. */
  periodUs: number;
}

export interface TraceSpec {
  file: string;
  speed: number;
  loop: boolean;
  rows: TraceRows;
}

interface Row {
  t: number;
  key: string | undefined;
  size: number;
}

/** Throws an Error whose message names the line and the fix. */
export function parseTrace(text: string, name: string): TraceRows {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new Error(`${name}: the trace is empty`);
  const first = (lines[0] as string).trim();
  let rows: Row[];
  if (first.startsWith("{")) {
    const sample = JSON.parse(first) as Record<string, unknown>;
    rows = typeof sample.f === "string" ? historyRows(lines, name) : ndjsonRows(lines, name);
  } else rows = csvRows(lines, name);
  if (rows.length === 0) throw new Error(`${name}: no rows to replay`);
  rows.sort((a, b) => a.t - b.t);
  const t0 = (rows[0] as Row).t;
  const offsetUs = Float64Array.from(rows, (r) => Math.round((r.t - t0) * 1000));
  const last = offsetUs[offsetUs.length - 1] as number;
  const meanGap = rows.length > 1 ? last / (rows.length - 1) : 1000;
  return {
    offsetUs,
    keys: rows.map((r) => r.key),
    sizes: Int32Array.from(rows, (r) => r.size),
    periodUs: last + Math.max(1, meanGap),
  };
}

function num(v: unknown, where: string, what: string): number {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0)
    throw new Error(`${where}: ${what} must be a number ≥ 0`);
  return n;
}

function ndjsonRows(lines: string[], name: string): Row[] {
  return lines.map((l, i) => {
    const where = `${name}:${i + 1}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`${where}: not JSON; write one {"t": ms, "key": "…", "size": bytes} per line`);
    }
    return {
      t: num(o.t, where, '"t" (the offset in ms)'),
      key: o.key === undefined || o.key === null ? undefined : String(o.key),
      size: o.size === undefined ? 0 : Math.round(num(o.size, where, '"size"')),
    };
  });
}

function csvRows(lines: string[], name: string): Row[] {
  let cols = ["t", "key", "size"];
  let start = 0;
  const head = (lines[0] as string).split(",").map((c) => c.trim());
  if (Number.isNaN(Number(head[0]))) {
    cols = head;
    start = 1;
    if (!cols.includes("t")) throw new Error(`${name}:1: the header needs a "t" column (the offset in ms)`);
  }
  return lines.slice(start).map((l, i) => {
    const where = `${name}:${i + start + 1}`;
    const cells = l.split(",").map((c) => c.trim());
    const get = (c: string) => cells[cols.indexOf(c)];
    const key = get("key");
    const size = get("size");
    return {
      t: num(get("t"), where, "t (the offset in ms)"),
      key: key === undefined || key === "" ? undefined : key,
      size: size === undefined || size === "" ? 0 : Math.round(num(size, where, "size")),
    };
  });
}

/** An earlier run's sends: every message of every invoke, at the invoke's time. */
function historyRows(lines: string[], name: string): Row[] {
  const rows: Row[] = [];
  lines.forEach((l, i) => {
    let o: { f?: string; type?: string; t?: number; from?: number; to?: number; seqs?: unknown[] };
    try {
      o = JSON.parse(l);
    } catch {
      throw new Error(`${name}:${i + 1}: not JSON (a history.ndjson line)`);
    }
    if (o.f !== "send" || o.type !== "invoke" || typeof o.t !== "number") return;
    const n = Array.isArray(o.seqs) ? o.seqs.length : (o.to ?? 0) - (o.from ?? 0) + 1;
    for (let k = 0; k < n; k++) rows.push({ t: o.t / 1000, key: undefined, size: 0 });
  });
  return rows;
}

export function loadTrace(path: string): TraceRows {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(
      `cannot read the trace ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return parseTrace(text, path);
}

/** `3x`, `3×`, `0.5` → the speed factor; undefined if it is not one. */
export function parseSpeed(v: unknown): number | undefined {
  const n =
    typeof v === "number" ? v : typeof v === "string" ? Number(v.trim().replace(/[x×]$/, "")) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The µs at which trace message `i` is meant to go out, or Infinity when the trace is done. */
export function traceTimeUs(t: TraceSpec, i: number): number {
  const n = t.rows.offsetUs.length;
  const pass = Math.floor(i / n);
  if (pass > 0 && !t.loop) return Number.POSITIVE_INFINITY;
  const at = pass * t.rows.periodUs + (t.rows.offsetUs[i % n] as number);
  return at / t.speed;
}
