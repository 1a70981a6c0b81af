/**
 * Where the remote workers are: `--workers http://h1:7070,http://h2:7070`, or the name of a file
 * listing one URL a line (# comments and blank lines ignored). The order is the slice order:
 * the i-th URL sends slice i/n.
 */

import { existsSync, readFileSync } from "node:fs";
import { FaultbenchError } from "../errors.ts";

export function parseWorkerList(value: string): string[] {
  const fromFile = !value.includes("://") && existsSync(value);
  const items = fromFile
    ? readFileSync(value, "utf8")
        .split("\n")
        .map((l) => l.replace(/#.*/, "").trim())
        .filter((l) => l.length > 0)
    : value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
  const where = fromFile ? ` in ${value}` : "";
  if (items.length === 0)
    throw new FaultbenchError("FB_USAGE", `--workers${where}: no worker URLs; write http://host:port,…`);
  const urls: string[] = [];
  for (const item of items) {
    let u: URL;
    try {
      u = new URL(item);
    } catch {
      throw new FaultbenchError(
        "FB_USAGE",
        `--workers${where}: "${item}" is not a URL; write http://host:port (or a file listing them)`,
      );
    }
    if (u.protocol !== "http:" && u.protocol !== "https:")
      throw new FaultbenchError(
        "FB_USAGE",
        `--workers${where}: "${item}" must start with http:// or https://`,
      );
    const norm = u.origin;
    if (urls.includes(norm))
      throw new FaultbenchError(
        "FB_USAGE",
        `--workers${where}: ${norm} is listed twice; each worker sends one slice`,
      );
    urls.push(norm);
  }
  return urls;
}
