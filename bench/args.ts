/**
 * Command-line flags for the benchmark scripts: node's parseArgs, except that an unknown or
 * malformed flag (or --help) prints what went wrong and where the flags are described, and exits
 * with 2 instead of a stack trace.
 */

import { basename } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";

export function parseBenchArgs<T extends ParseArgsConfig>(
  config: T,
  script: string,
): ReturnType<typeof parseArgs<T>> {
  const name = `bench/${basename(script)}`;
  const wantsHelp = (config.args ?? process.argv.slice(2)).some((a) => a === "--help" || a === "-h");
  if (!wantsHelp) {
    try {
      return parseArgs(config);
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      if (!code.startsWith("ERR_PARSE_ARGS")) throw e;
      console.error(`${name}: ${(e as Error).message}`);
    }
  }
  const flags = Object.entries(config.options ?? {})
    .map(
      ([k, o]) =>
        `--${k}${o.type === "string" ? ` <${"default" in o && o.default !== undefined ? o.default : "value"}>` : ""}`,
    )
    .join(" ");
  console.error(
    `usage: node --import tsx ${name} ${flags}\nThe comment at the top of ${name} says what each flag does.`,
  );
  process.exit(2);
}
