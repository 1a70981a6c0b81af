/**
 * The agent as an OS process: `node --import tsx engines/agent/main.ts --config FILE --name NAME
 * [--metrics-port N]`. Prints the faultbench ready line (ports: one per source by name, plus
 * `metrics`) once everything listens; SIGTERM/SIGINT stop it gracefully (exit 0). A bad config
 * prints one problem per line on stderr and exits 2. Logs go to stderr.
 */

import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { exitCodeFor, FaultbenchError, isFaultbenchError } from "../../lib/errors.ts";
import { serveProcess } from "../shared/serve-process.ts";
import { type RunningAgent, startAgent } from "./agent.ts";
import { loadAgentConfig } from "./config.ts";

export type { RunningAgent } from "./agent.ts";

/** Loads the config for agent `name` and starts it in this process. */
export async function serveAgent(opts: {
  configPath: string;
  name: string;
  metricsPort?: number;
}): Promise<RunningAgent> {
  const config = await loadAgentConfig(opts.configPath, opts.name);
  const log = (m: string) => process.stderr.write(`[${opts.name}] ${m}\n`);
  for (const w of config.warnings) log(`config: ${w}`);
  return startAgent(config, {
    log,
    ...(opts.metricsPort === undefined ? {} : { metricsPort: opts.metricsPort }),
  });
}

async function main(): Promise<void> {
  let args: { config?: string; name?: string; "metrics-port"?: string };
  try {
    args = parseArgs({
      options: { config: { type: "string" }, name: { type: "string" }, "metrics-port": { type: "string" } },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(
      `${(e as Error).message}\nusage: main.ts --config FILE --name NAME [--metrics-port N]\n`,
    );
    process.exit(2);
  }
  if (!args.config || !args.name) {
    process.stderr.write("usage: main.ts --config FILE --name NAME [--metrics-port N]\n");
    process.exit(2);
  }
  const metricsPort = args["metrics-port"] === undefined ? undefined : Number(args["metrics-port"]);
  if (
    metricsPort !== undefined &&
    !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536)
  ) {
    process.stderr.write(`--metrics-port must be a port number, got ${args["metrics-port"]}\n`);
    process.exit(2);
  }
  const { config, name } = args;
  try {
    await serveProcess(name, async () => {
      const agent = await serveAgent({
        configPath: config,
        name,
        ...(metricsPort === undefined ? {} : { metricsPort }),
      });
      return { ports: agent.ports, stop: () => agent.stop() };
    });
  } catch (e) {
    if (isFaultbenchError(e) && e.code === "FB_CONFIG_INVALID") {
      process.stderr.write(`${e.message.split("\n")[0]}\n`);
      for (const p of e.context.problems ?? []) process.stderr.write(`  ${p}\n`);
    } else {
      process.stderr.write(`agent ${name} failed to start: ${(e as Error)?.stack ?? e}\n`);
    }
    process.exit(
      exitCodeFor(isFaultbenchError(e) ? e : new FaultbenchError("FB_ENGINE_START_FAILED", String(e))),
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
