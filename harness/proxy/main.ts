/**
 * The proxy server entry point: `serveProxy()` for in-process use, and a CLI
 * (`node --import tsx harness/proxy/main.ts [--host 127.0.0.1] [--port 8474] [--allow-remote] [--seed N]`)
 * that prints the faultbench ready line with the bound API port and exits 0 on SIGTERM/SIGINT.
 * Safe by default: the API binds loopback and proxies may only listen on and forward to loopback
 * unless `--allow-remote` or FAULTBENCH_PROXY_ALLOW_REMOTE=1 is given.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { serveProcess } from "../../engines/shared/serve-process.ts";
import { FaultbenchError } from "../errors.ts";
import { seededRandom } from "../generator/random.ts";
import { createApiServer } from "./api/server.ts";
import { ProxyCollection } from "./proxy-collection.ts";

export interface ServeProxyOptions {
  host?: string;
  port?: number;
  /** Allow non-loopback proxy listen and upstream addresses. */
  allowRemote?: boolean;
  /** Source of the toxicity rolls and jitter; Math.random by default. */
  random?: () => number;
}

export interface RunningProxy {
  port: number;
  close(): Promise<void>;
}

export async function serveProxy(opts: ServeProxyOptions = {}): Promise<RunningProxy> {
  const proxies = new ProxyCollection({
    allowRemote: opts.allowRemote ?? false,
    random: opts.random ?? Math.random,
  });
  const server: Server = createApiServer(proxies);
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) =>
      reject(
        new FaultbenchError("FB_PROXY", `proxy API cannot listen on ${host}:${opts.port ?? 8474}`, {
          cause: e,
        }),
      ),
    );
    server.listen({ host, port: opts.port ?? 8474 }, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        proxies.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

export function envAllowsRemote(): boolean {
  const v = process.env.FAULTBENCH_PROXY_ALLOW_REMOTE;
  return v === "1" || v === "true";
}

async function cli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8474" },
      "allow-remote": { type: "boolean", default: false },
      seed: { type: "string" },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FaultbenchError("FB_USAGE", `--port must be an integer 0-65535, got ${values.port}`);
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new FaultbenchError("FB_USAGE", `--seed must be an integer, got ${values.seed}`);
  }
  await serveProcess("proxy", async () => {
    const running = await serveProxy({
      host: values.host,
      port,
      allowRemote: values["allow-remote"] || envAllowsRemote(),
      ...(seed === undefined ? {} : { random: seededRandom(seed) }),
    });
    return { ports: { api: running.port }, stop: () => running.close() };
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`proxy: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof FaultbenchError && e.code === "FB_USAGE" ? 2 : 3);
  });
}
