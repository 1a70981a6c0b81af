/**
 * The units scenario files are written in: durations (`500ms`, `10s`, `2m`, `1.5s`) and rates
 * (`5000/s`, `300/m`). Parsing is strict so a typo is caught at load time, not mid-run.
 */

const durationRe = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)\s*$/;
const unitMs: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input !== "string") return undefined;
  const m = durationRe.exec(input);
  if (!m) return undefined;
  return Number(m[1]) * (unitMs[m[2] as string] as number);
}

const rateRe = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|m)\s*$/;

/** Messages per second for `5000/s`, `300/m` or a plain non-negative number; undefined otherwise. */
export function parseRate(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : undefined;
  if (typeof input !== "string") return undefined;
  const m = rateRe.exec(input);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === "m" ? n / 60 : n;
}

/** A duration in ms written back the way a person would read it (`1500ms` -> `1.5s`). */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${Number(ms.toFixed(3))}ms`;
}
