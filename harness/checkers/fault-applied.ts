/**
 * Whether a fault happened. A fault is applied when its first step — the kill, pause, stop, slow
 * down, toxic, disable or partition — completed; a step that failed (the proxy refused the toxic,
 * half a partition went in, the node was not running) or never completed means the fault did not
 * happen as written, so no figure may be credited to it. Unless the scenario marks the fault
 * `optional: true`, such a run is errored (exit 3): it did not test what it says it tested.
 */

import type { NemesisOp } from "../history/op.ts";

export type Application = { applied: true } | { applied: false; error: string };

/** From a fault's nemesis ops, in history order. */
export function faultApplication(steps: readonly NemesisOp[]): Application {
  const first = steps.find((s) => s.type === "invoke");
  if (!first) return { applied: false, error: "no step was recorded" };
  const done = steps.find((s) => s !== first && s.f === first.f && s.type !== "invoke" && s.t >= first.t);
  if (!done) return { applied: false, error: `the ${first.f} step never completed` };
  if (done.type === "ok") return { applied: true };
  return { applied: false, error: `${first.f} failed: ${done.error ?? "no reason given"}` };
}

/** The reason a run is errored because a required fault did not happen; undefined when all did. */
export function requiredFaultsMissing(
  faults: readonly { name: string; applied?: boolean; optional?: boolean; error?: string }[],
): string | undefined {
  const missing = faults.filter((f) => f.applied === false && !f.optional);
  if (missing.length === 0) return undefined;
  return `${missing.length === 1 ? "a fault was" : `${missing.length} faults were`} not applied (mark a fault optional: true if that is acceptable): ${missing.map((f) => `${f.name}: ${f.error ?? "?"}`).join("; ")}`;
}
