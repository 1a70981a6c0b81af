/**
 * Expectations are assertions on results.json paths, written as `path: value` in a scenario:
 * `delivery.lost: 0`, `delivery.lost: "> 0"`, `latency.endToEnd.p99: "< 200ms"`,
 * `throughput.ackedPerSec: ">= 1900/s"`. Values are compared in the unit results.json uses
 * (ms for times, messages/s for rates), so `200ms` and `0.2s` mean the same.
 */

import { parseDuration, parseRate } from "./units.ts";

export const comparators = ["==", "!=", "<", "<=", ">", ">="] as const;
export type Comparator = (typeof comparators)[number];

export interface Expectation {
  path: string;
  op: Comparator;
  value: number;
  /** As written in the scenario, for messages. */
  source: string;
}

const exprRe = /^\s*(==|!=|<=|>=|<|>|=)?\s*(.+?)\s*$/;

/** Parses one expectation value; returns an error message when it is not one. */
export function parseExpectation(path: string, raw: unknown): Expectation | string {
  if (typeof raw === "number") return { path, op: "==", value: raw, source: String(raw) };
  if (typeof raw !== "string") return 'must be a number or a comparison such as "> 0" or "< 200ms"';
  const m = exprRe.exec(raw);
  if (!m) return `cannot read "${raw}"; write a comparison such as "> 0" or "< 200ms"`;
  const op = (m[1] === "=" || m[1] === undefined ? "==" : m[1]) as Comparator;
  const text = m[2] as string;
  const value = parseQuantity(text);
  if (value === undefined) {
    return `cannot read the value "${text}"; use a number, a duration (200ms, 2s) or a rate (5000/s)`;
  }
  return { path, op, value, source: raw };
}

function parseQuantity(text: string): number | undefined {
  const pct = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (pct) return Number(pct[1]);
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
  return parseDuration(text) ?? parseRate(text);
}

/** Whether `actual op expected` holds. */
export function compare(actual: number, op: Comparator, expected: number): boolean {
  switch (op) {
    case "==":
      return actual === expected;
    case "!=":
      return actual !== expected;
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
  }
}

const percentileFields = ["count", "mean", "p50", "p90", "p99", "p999", "max"];
const deliveryFields = [
  "attempted",
  "acked",
  "failed",
  "indeterminate",
  "delivered",
  "lost",
  "duplicated",
  "duplicateDeliveries",
  "unexpected",
  "recovered",
  "failedButDelivered",
  "corrupted",
];
export const faultFields = [
  "startMs",
  "endMs",
  "unavailableMs",
  "recoveryMs",
  "detectMs",
  "ackRecoveryMs",
  "deliveryRecoveryMs",
  "backlogDrainedMs",
  "maxAckGapMs",
  "restartMs",
  "moveMs",
  "lost",
];

/**
 * Loss attribution of one fault: `faults.<name>.inWindow.lost` (messages sent between the fault's
 * start and its heal) or `outsideWindow.lost` (all the others), also `.sent` and `.duplicated` —
 * so a scenario can say which fault its loss must come from.
 */
const faultWindowPath = /^faults\.(.+)\.(inWindow|outsideWindow)\.(sent|lost|duplicated)$/;

/** Every numeric results.json path an expectation may name, except per-fault ones. */
export const expectablePaths: readonly string[] = [
  "throughput.offeredPerSec",
  "throughput.sentPerSec",
  "throughput.ackedPerSec",
  "throughput.deliveredPerSec",
  ...["publish", "endToEnd", "publishAttempts"].flatMap((k) => [
    ...percentileFields.map((f) => `latency.${k}.${f}`),
    ...percentileFields.map((f) => `latency.${k}.corrected.${f}`),
  ]),
  ...deliveryFields.map((f) => `delivery.${f}`),
  ...[
    "inconsistentOffsets",
    "truncatedRewritten",
    "reordered",
    "gaps",
    "rewinds",
    "lostWrite",
    "unseen",
    "duplicate",
    "pollSkip",
    "nonmonotonicPoll",
    "nonmonotonicSend",
  ].map((f) => `order.${f}`),
  "lossAttribution.unattributed",
  ...["partitions", "maxPerBroker", "minPerBroker", "notPreferred", "offline"].map((f) => `leadership.${f}`),
];

/**
 * Checks that a path can be evaluated: one of `expectablePaths`, or `faults.<name>.<field>` for a
 * declared fault. Returns an error message or undefined.
 */
export function checkPath(path: string, faultNames: readonly string[]): string | undefined {
  if (expectablePaths.includes(path)) return undefined;
  if (/^deliveredBy\.[A-Za-z][A-Za-z0-9_-]*$/.test(path)) return undefined;
  if (/^leadership\.byBroker\.[A-Za-z][A-Za-z0-9_-]*$/.test(path)) return undefined;
  const wm = faultWindowPath.exec(path);
  if (wm) {
    if (faultNames.includes(wm[1] as string)) return undefined;
    return `no fault named "${wm[1]}"; faults here: ${faultNames.length ? faultNames.join(", ") : "(none)"}`;
  }
  const fm = /^faults\.(.+)\.([A-Za-z]+)$/.exec(path);
  if (fm) {
    const [, name, field] = fm as unknown as [string, string, string];
    if (!faultNames.includes(name)) {
      return `no fault named "${name}"; faults here: ${faultNames.length ? faultNames.join(", ") : "(none)"}`;
    }
    if (!faultFields.includes(field))
      return `unknown fault field "${field}"; allowed: ${faultFields.join(", ")}`;
    return undefined;
  }
  const prefix = path.split(".")[0] ?? "";
  const near = expectablePaths.filter((p) => p.startsWith(`${prefix}.`));
  return `unknown results path "${path}"; allowed: deliveredBy.<node>, leadership.byBroker.<broker>, ${(near.length ? near : expectablePaths.filter((p) => !p.includes("corrected"))).join(", ")}${prefix === "faults" || !near.length ? ", faults.<name>.<field>" : ""}`;
}

/** Reads a dotted path (with `faults.<name>` resolved by fault name) from a results object. */
export function readPath(results: unknown, path: string): number | null | undefined {
  const wm = faultWindowPath.exec(path);
  if (wm) {
    const faults = (results as { faults?: Record<string, unknown>[] }).faults ?? [];
    const f = faults.find((x) => x.name === wm[1]);
    const w = f?.[wm[2] as string] as Record<string, unknown> | undefined;
    const v = w?.[wm[3] as string];
    return typeof v === "number" ? v : undefined;
  }
  const fm = /^faults\.(.+)\.([A-Za-z]+)$/.exec(path);
  if (fm) {
    const faults = (results as { faults?: { name: string }[] }).faults ?? [];
    const f = faults.find((x) => x.name === fm[1]) as Record<string, unknown> | undefined;
    const v = f?.[fm[2] as string];
    return typeof v === "number" || v === null ? v : undefined;
  }
  let cur: unknown = results;
  for (const key of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === "number" || cur === null ? cur : undefined;
}
