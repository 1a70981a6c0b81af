/**
 * The design points of a sweep: `--set path=v1,v2,…` per dimension, crossed into a grid (or zipped
 * into a list of points), each applied to the scenario document before it is validated again, so
 * a wrong path or value is reported like any scenario error. A `*` in a path stands for every key
 * of a mapping (`topology.agents.*.channel.type=file` sets every agent's channel). Pure.
 */

import { FaultbenchError } from "../errors.ts";

export type SweepValue = string | number | boolean;

export interface Dimension {
  path: string;
  values: SweepValue[];
}

export type Point = Record<string, SweepValue>;

/** `10k` → 10000, `1.5M` → 1500000, `true` → true; anything else stays text (`5000/s`, `file`). */
export function parseValue(text: string): SweepValue {
  const t = text.trim();
  if (t === "true" || t === "false") return t === "true";
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(t);
  if (m) return Number(m[1]) * (m[2] === "" ? 1 : /k/i.test(m[2] as string) ? 1e3 : 1e6);
  return t;
}

export function parseSet(text: string): Dimension {
  const eq = text.indexOf("=");
  const path = eq > 0 ? text.slice(0, eq).trim() : "";
  if (!/^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*$/.test(path) || eq === text.length - 1)
    throw new FaultbenchError(
      "FB_USAGE",
      `--set "${text}": write a scenario path and its values, e.g. --set workload.rate=10k,20k or --set topology.partitions=1,3,6`,
    );
  const values = text
    .slice(eq + 1)
    .split(",")
    .filter((v) => v.trim() !== "")
    .map(parseValue);
  return { path, values };
}

/** Every combination of the dimensions' values (the first dimension varies slowest). */
export function grid(dims: readonly Dimension[]): Point[] {
  let points: Point[] = [{}];
  for (const d of dims) points = points.flatMap((p) => d.values.map((v) => ({ ...p, [d.path]: v })));
  return points;
}

/** The i-th values of every dimension together; every dimension must list as many values. */
export function zip(dims: readonly Dimension[]): Point[] {
  const n = dims[0]?.values.length ?? 0;
  const bad = dims.find((d) => d.values.length !== n);
  if (bad)
    throw new FaultbenchError(
      "FB_USAGE",
      `--list pairs the i-th values of every --set, but ${bad.path} has ${bad.values.length} values and ${dims[0]?.path} has ${n}`,
    );
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(dims.map((d) => [d.path, d.values[i] as SweepValue])),
  );
}

/** A copy of the document with the value set at the path (missing mappings are created). */
export function setPath(
  doc: Record<string, unknown>,
  path: string,
  value: SweepValue,
): Record<string, unknown> {
  const out = structuredClone(doc);
  const apply = (obj: Record<string, unknown>, keys: string[]): void => {
    const [k, ...rest] = keys as [string, ...string[]];
    if (k === "*") {
      const targets = Object.keys(obj);
      if (targets.length === 0) throw new FaultbenchError("FB_USAGE", `--set ${path}: "*" matched nothing`);
      for (const t of targets) apply(obj, [t, ...rest]);
      return;
    }
    if (rest.length === 0) {
      obj[k] = value;
      return;
    }
    const next = obj[k];
    if (next === undefined || next === null) obj[k] = {};
    else if (typeof next !== "object" || Array.isArray(next))
      throw new FaultbenchError("FB_USAGE", `--set ${path}: ${k} is not a mapping in the scenario`);
    apply(obj[k] as Record<string, unknown>, rest);
  };
  apply(out, path.split("."));
  return out;
}

/** A short label: `partitions=3 rate=10000` (the last path segment before a `*` is kept). */
export function pointLabel(p: Point): string {
  return Object.entries(p)
    .map(([path, v]) => `${shortName(path)}=${v}`)
    .join(" ");
}

export function shortName(path: string): string {
  const parts = path.split(".").filter((x) => x !== "*");
  const last = parts[parts.length - 1] ?? path;
  // `channel.type` reads better than `type`.
  return ["type", "capacity", "rate"].includes(last) && parts.length > 1 && last !== "rate"
    ? `${parts[parts.length - 2]}.${last}`
    : last;
}
