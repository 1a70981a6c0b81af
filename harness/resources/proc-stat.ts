/**
 * CPU time of a process and of the whole machine, read from Linux's /proc. A process's
 * /proc/<pid>/stat holds its user and system time in clock ticks (USER_HZ, 100 on every Linux
 * architecture Node runs on); /proc/stat's first line holds the machine's busy and idle ticks.
 * Parsing is pure; reading returns undefined where /proc is missing (not Linux) or the process is gone.
 */

import { readFileSync } from "node:fs";

/** Clock ticks per second of the times in /proc (USER_HZ). */
export const TICKS_PER_SECOND = 100;

/** User + system CPU seconds from the text of /proc/<pid>/stat; undefined if it cannot be read. */
export function parseProcStat(text: string): number | undefined {
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself, so the
  // fields are counted from the last ')'. After it: state is field 3, utime 14, stime 15.
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / TICKS_PER_SECOND;
}

/** The machine's CPU ticks from the first line of /proc/stat: busy and total. */
export function parseMachineStat(text: string): { busy: number; total: number } | undefined {
  const line = text.split("\n", 1)[0] ?? "";
  if (!line.startsWith("cpu ")) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((x) => !Number.isFinite(x))) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

export function readProcessCpu(pid: number): number | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

export function readMachineCpu(): { busy: number; total: number } | undefined {
  try {
    return parseMachineStat(readFileSync("/proc/stat", "utf8"));
  } catch {
    return undefined;
  }
}
