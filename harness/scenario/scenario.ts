/**
 * The validated scenario as the rest of the harness sees it (types only; load.ts builds it). Kept
 * apart from the loader so targets and checkers can name it without importing the loader, which
 * imports the targets registry.
 */

import type { Expectation } from "./expectation.ts";
import type { FaultSpec, ParsedScenario } from "./schema.ts";

export type { ParsedScenario } from "./schema.ts";

export type NamedFault = FaultSpec & {
  name: string;
  /** What the fault acts on, for reports: a node, a link, or the partition's groups. */
  target: string;
};

/**
 * A validated scenario. `topology` is the target's own section, typed by the target
 * (harness/targets/<engine>/); everything else is common to every target.
 */
export interface Scenario<T = unknown> extends Omit<ParsedScenario, "faults" | "expect" | "topology"> {
  topology: T;
  faults: NamedFault[];
  /** The scenario's expectations plus the defaults it did not override. */
  expectations: Expectation[];
  /** The document as written, with CLI overrides applied; written to the run directory. */
  raw: Record<string, unknown>;
  file: string;
}
