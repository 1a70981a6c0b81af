/**
 * The cleaner's memory of one partition, `<topic>-<n>/cleaner-checkpoint.json` (Kafka keeps
 * cleaner-offset-checkpoint): which offset ranges were first cleaned when (so tombstones expire
 * `delete.retention.ms` after that, and the part never cleaned is the dirty one), and when the
 * earliest kept tombstone expires (a reason to clean again with nothing new to clean).
 *
 * Losing it is always safe: everything counts as never cleaned, so the next cleaning covers the
 * whole log and restarts every tombstone's clock — later removal, never an early one. So it is
 * written by rename without an fsync, and a truncation below it removes it (partition-log.ts).
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { renameFile, writeWholeFile } from "../../shared/file-io.ts";
import { CLEANER_CHECKPOINT } from "../storage/partition-log.ts";
import type { CleanedRange } from "./plan.ts";

export interface CleanerCheckpoint {
  history: CleanedRange[];
  /** When the earliest tombstone kept by the last cleaning may go; undefined: none kept. */
  tombstonesDueAt?: number;
}

/** The checkpoint, or an empty one when missing or unreadable; ranges past `logEndOffset` are cut. */
export function loadCheckpoint(dir: string, logEndOffset: number): CleanerCheckpoint {
  const file = join(dir, CLEANER_CHECKPOINT);
  if (!existsSync(file)) return { history: [] };
  try {
    const raw = JSON.parse(readFileSync(file, "utf8")) as { history?: unknown; tombstonesDueAt?: unknown };
    const history: CleanedRange[] = [];
    if (Array.isArray(raw.history)) {
      for (const h of raw.history as Array<{ end?: unknown; at?: unknown }>) {
        if (typeof h?.end !== "number" || typeof h.at !== "number") return { history: [] };
        if (h.end > logEndOffset || (history.length > 0 && h.end <= history.at(-1)!.end))
          return { history: [] };
        history.push({ end: h.end, at: h.at });
      }
    }
    return typeof raw.tombstonesDueAt === "number"
      ? { history, tombstonesDueAt: raw.tombstonesDueAt }
      : { history };
  } catch {
    return { history: [] };
  }
}

export function saveCheckpoint(dir: string, cp: CleanerCheckpoint): void {
  const file = join(dir, CLEANER_CHECKPOINT);
  writeWholeFile(`${file}.tmp`, JSON.stringify(cp));
  renameFile(`${file}.tmp`, file);
}
