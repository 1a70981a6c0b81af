/**
 * Entry point of the log broker process:
 *
 *   node --import tsx engines/log/main.ts --port P --data DIR [--host H]
 *        [--advertised-listener host:port] [--node-id N] [--set key=value ...]
 *
 * Prints the faultbench ready line once serving. SIGTERM/SIGINT = graceful (flush, close);
 * SIGKILL loses whatever the page cache had not written, which is the point of fault runs.
 */

import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { FaultbenchError, isFaultbenchError } from "../../lib/errors.ts";
import { serveProcess } from "../shared/serve-process.ts";
import { serveLog } from "./server.ts";

export { type RunningLog, type ServeLogOptions, serveLog } from "./server.ts";

/** `host:port` of --advertised-listener. */
export function parseListener(v: string): { host: string; port: number } {
  const i = v.lastIndexOf(":");
  const port = Number(v.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new FaultbenchError("FB_USAGE", `--advertised-listener must be host:port, got ${v}`);
  }
  return { host: v.slice(0, i), port };
}

/** The `key=value` pairs of --set, as broker config overrides. */
export function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const i = s.indexOf("=");
    if (i <= 0) throw new FaultbenchError("FB_USAGE", `--set expects key=value, got ${s}`);
    out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "9092" },
      host: { type: "string", default: "127.0.0.1" },
      data: { type: "string" },
      "advertised-listener": { type: "string" },
      "node-id": { type: "string", default: "1" },
      name: { type: "string", default: "log" },
      set: { type: "string", multiple: true, default: [] },
      controllers: { type: "string" },
      roles: { type: "string" },
      "controller-port": { type: "string" },
      peer: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  if (!values.data) throw new FaultbenchError("FB_USAGE", "--data DIR is required");
  const port = Number(values.port);
  const nodeId = Number(values["node-id"]);
  if (!Number.isInteger(port) || port < 0) throw new FaultbenchError("FB_USAGE", `bad --port ${values.port}`);
  if (!Number.isInteger(nodeId) || nodeId < 0)
    throw new FaultbenchError("FB_USAGE", `bad --node-id ${values["node-id"]}`);
  const listener = values["advertised-listener"] ? parseListener(values["advertised-listener"]) : undefined;
  if (values.controllers !== undefined) {
    const { serveClusterNode, parseControllers, parsePeers, parseRoles } = await import("./cluster-node.ts");
    const controllers = parseControllers(values.controllers);
    const roles = parseRoles(values.roles ?? (controllers.has(nodeId) ? "broker,controller" : "broker"));
    const controllerPort =
      values["controller-port"] === undefined ? undefined : Number(values["controller-port"]);
    await serveProcess(values.name, async () => {
      const node = await serveClusterNode({
        nodeId,
        roles,
        controllers,
        ...(controllerPort === undefined ? {} : { controllerPort }),
        host: values.host,
        port,
        dataDir: values.data as string,
        peers: parsePeers(values.peer),
        config: parseSets(values.set),
        ...(listener ? { advertisedHost: listener.host, advertisedPort: listener.port } : {}),
      });
      return { ports: node.ports, stop: () => node.close() };
    });
    return;
  }
  await serveProcess(values.name, async () => {
    const broker = await serveLog({
      port,
      host: values.host,
      dataDir: values.data as string,
      nodeId,
      config: parseSets(values.set),
      ...(listener ? { advertisedHost: listener.host, advertisedPort: listener.port } : {}),
    });
    return { ports: { kafka: broker.port }, stop: () => broker.close() };
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  main().catch((e: unknown) => {
    process.stderr.write(`[log] ${(e as Error).message}\n`);
    process.exit(isFaultbenchError(e) && (e.code === "FB_USAGE" || e.code === "FB_CONFIG_INVALID") ? 2 : 3);
  });
}
