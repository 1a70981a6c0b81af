/**
 * The harness's error family is the one in lib/errors.ts, shared with the engines (which must not
 * import harness code); re-exported here so harness modules keep one short import path.
 */

export * from "../lib/errors.ts";
