/**
 * One error family for faultbench. Every failure the harness reports carries a stable `code` from
 * the list below, an optional `cause`, and typed context, so the CLI can map it to an exit code and
 * a one-line message instead of a stack trace.
 */

export const errorCodes = [
  "FB_USAGE",
  "FB_SCENARIO_INVALID",
  "FB_CONFIG_INVALID",
  "FB_ENGINE_START_FAILED",
  "FB_ENGINE_START_TIMEOUT",
  "FB_ENGINE_CRASHED",
  "FB_RUN_ABORTED",
  "FB_RUN_DIR",
  "FB_HISTORY_INVALID",
  "FB_PROXY",
  "FB_FAULT_NOT_APPLIED",
  "FB_INTERNAL",
  "FB_WORKER_LOST",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

const brand = Symbol.for("faultbench.error");

export interface ErrorContext {
  node?: string;
  pid?: number;
  signal?: string;
  exitCode?: number;
  file?: string;
  /** One message per problem, for errors that collect several (scenario and config validation). */
  problems?: string[];
  [key: string]: unknown;
}

export class FaultbenchError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "FaultbenchError";
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** True for any FaultbenchError, even one created by another copy of this module. */
export function isFaultbenchError(e: unknown): e is FaultbenchError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}

/** The CLI exit code for an error: 2 for bad input, 3 for a run that broke. */
export function exitCodeFor(e: unknown): 2 | 3 {
  if (!isFaultbenchError(e)) return 3;
  switch (e.code) {
    case "FB_USAGE":
    case "FB_SCENARIO_INVALID":
    case "FB_CONFIG_INVALID":
    case "FB_HISTORY_INVALID":
    case "FB_RUN_DIR":
      return 2;
    default:
      return 3;
  }
}
