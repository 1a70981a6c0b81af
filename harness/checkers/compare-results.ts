/**
 * `faultbench check` recomputes every figure from the history and compares it with results.json:
 * a figure someone edited (or a results.json from different code) shows up as a difference. Floats
 * are equal within FLOAT_TOLERANCE (absolute, in the figure's own unit); every other value must
 * match exactly. A section results.json does not have at all (written before it existed) is noted,
 * not counted as a difference.
 */

export const FLOAT_TOLERANCE = 0.001;

export interface FigureDiff {
  path: string;
  stored: unknown;
  recomputed: unknown;
}

/** Every difference between `stored` and `recomputed`, walking the recomputed object's keys. */
export function diffFigures(
  stored: Record<string, unknown>,
  recomputed: Record<string, unknown>,
): { diffs: FigureDiff[]; missing: string[] } {
  const diffs: FigureDiff[] = [];
  const missing: string[] = [];
  for (const [k, v] of Object.entries(recomputed)) {
    if (!(k in stored)) {
      missing.push(k);
      continue;
    }
    walk(k, stored[k], v, diffs);
  }
  return { diffs, missing };
}

function walk(path: string, a: unknown, b: unknown, out: FigureDiff[]): void {
  if (typeof a === "number" && typeof b === "number") {
    if (!(Math.abs(a - b) <= FLOAT_TOLERANCE) && !(Number.isNaN(a) && Number.isNaN(b)))
      out.push({ path, stored: a, recomputed: b });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push({ path: `${path}.length`, stored: a.length, recomputed: b.length });
    for (let i = 0; i < Math.min(a.length, b.length); i++) walk(`${path}[${i}]`, a[i], b[i], out);
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in a)) out.push({ path: `${path}.${k}`, stored: undefined, recomputed: b[k] });
      else if (!(k in b)) out.push({ path: `${path}.${k}`, stored: a[k], recomputed: undefined });
      else walk(`${path}.${k}`, a[k], b[k], out);
    }
    return;
  }
  if (a !== b) out.push({ path, stored: a, recomputed: b });
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
