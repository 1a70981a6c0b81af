/**
 * The shared secret between a coordinator and its workers. Compared in constant time
 * (crypto.timingSafeEqual over SHA-256 digests, so lengths never leak either), read from a file or
 * the environment, never from a command line where `ps` would show it.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { FaultbenchError } from "../errors.ts";

export const TOKEN_ENV = "FAULTBENCH_WORKER_TOKEN";

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

/** The token from `file` (trimmed) or else the environment; undefined when neither has one. */
export function readToken(file: string | undefined, env = process.env): string | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8").trim();
    } catch (e) {
      throw new FaultbenchError("FB_USAGE", `cannot read the token file ${file}: ${(e as Error).message}`);
    }
    if (text.length < 16)
      throw new FaultbenchError(
        "FB_USAGE",
        `the token in ${file} is shorter than 16 characters; use a longer random one`,
      );
    return text;
  }
  const v = env[TOKEN_ENV]?.trim();
  if (v !== undefined && v.length > 0 && v.length < 16)
    throw new FaultbenchError(
      "FB_USAGE",
      `${TOKEN_ENV} is shorter than 16 characters; use a longer random one`,
    );
  return v || undefined;
}
