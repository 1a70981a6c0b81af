/**
 * Number formatting for the text parts of the reports. One place, so the per-run page, the index
 * and the comparison print the same figure the same way (and a test can parse them back).
 */

/** A count with thousands separators: 46,390. */
export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A rate per second, whole: 2,525/s. */
export function rate(n: number): string {
  return `${int(n)}/s`;
}

/** Milliseconds with precision that suits the size: 3.25 ms, 22.0 ms, 3,012 ms. */
export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n >= 1000) return `${int(n)} ms`;
  return `${n.toFixed(n < 10 ? 2 : 1)} ms`;
}

/** A recovery time: "never" when it did not recover within the run. */
export function recovery(n: number | null): string {
  return n === null ? "never" : ms(n);
}

/** A signed difference with its relative change: +12.5 ms (+4.1%). */
export function delta(base: number | null, cand: number | null, fmt: (n: number) => string): string {
  if (base === null || cand === null) return "—";
  const d = cand - base;
  const sign = d > 0 ? "+" : d < 0 ? "−" : "±";
  const abs = fmt(Math.abs(d));
  if (base === 0) return `${sign}${abs}`;
  const pct = (d / Math.abs(base)) * 100;
  return `${sign}${abs} (${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct).toFixed(1)}%)`;
}
