/**
 * One interface for every checker, `(history, context) → Check`, and one composer that runs them:
 * each checker is wrapped so that an exception becomes a check with `valid: "unknown"` and the
 * error in its detail. A checker that cannot decide never crashes the run or `faultbench check`.
 */

import type { Op } from "../history/op.ts";
import type { SendPair } from "../history/sends.ts";
import type { Check } from "../results/types.ts";
import type { Scenario } from "../scenario/scenario.ts";
import type { MessageTable } from "./message-table.ts";

/** What a checker may read beside the raw history; built once per analysis. */
export interface CheckContext {
  scenario: Scenario;
  /** Sends paired with their outcomes. */
  sends: readonly SendPair[];
  /** Per-message state. */
  table: MessageTable;
  /** The result fields computed so far (expectations read their paths from it). */
  results: Record<string, unknown>;
}

export interface Checker {
  /** Names the check when the checker throws. */
  readonly name: string;
  check(history: readonly Op[], context: CheckContext): Check | readonly Check[];
}

/** Runs the checkers in order; a throwing checker yields one "unknown" check instead. */
export function runCheckers(
  checkers: readonly Checker[],
  history: readonly Op[],
  context: CheckContext,
): Check[] {
  const out: Check[] = [];
  for (const c of checkers) {
    try {
      const r = c.check(history, context);
      if (Array.isArray(r)) out.push(...(r as readonly Check[]));
      else out.push(r as Check);
    } catch (e) {
      out.push({
        name: c.name,
        valid: "unknown",
        detail: `the checker failed: ${(e as Error)?.message ?? String(e)}`,
      });
    }
  }
  return out;
}
