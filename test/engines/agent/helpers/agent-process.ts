/**
 * Test helpers: boot a real agent OS process from a properties text and wait for its ready line,
 * and run an HTTP collector that records the event batches a sink posts. Every process and server
 * is registered so `cleanup()` can kill what a failing test left behind.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { AgentEvent } from "../../../../engines/agent/event.ts";
import { parseReady } from "../../../../engines/shared/ready-signal.ts";

const MAIN = resolve(import.meta.dirname, "../../../../engines/agent/main.ts");
const live = new Set<{ close(): Promise<void> | void }>();

export interface AgentProcess {
  child: ChildProcess;
  ports: Record<string, number>;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  metrics(): Promise<Record<string, Record<string, number | string>>>;
}

export async function tempDir(prefix = "fb-agent-"): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  live.add({ close: () => rm(d, { recursive: true, force: true }) });
  return d;
}

/** Spawns the agent and resolves on its ready line (rejects if it exits first). */
export async function spawnAgent(dir: string, name: string, properties: string): Promise<AgentProcess> {
  const file = join(dir, `${name}-${Date.now()}.properties`);
  await writeFile(file, properties);
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--config", file, "--name", name], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    err += c;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once("exit", (code, signal) => res({ code, signal })),
  );
  const handle = { close: () => void child.kill("SIGKILL") };
  live.add(handle);
  void exited.then(() => live.delete(handle));
  const ports = await new Promise<Record<string, number>>((res, rej) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on("line", (line) => {
      const r = parseReady(line);
      if (r) res(r.ports);
    });
    void exited.then(({ code, signal }) =>
      rej(new Error(`agent exited (${code ?? signal}) before ready:\n${err}`)),
    );
  });
  return {
    child,
    ports,
    stderr: () => err,
    exited,
    kill: (s) => void child.kill(s),
    metrics: async () => {
      const r = await fetch(`http://127.0.0.1:${ports.metrics}/metrics`);
      return (await r.json()) as Record<string, Record<string, number | string>>;
    },
  };
}

/** Runs main.ts to exit (for config errors). */
export async function runAgentToExit(
  dir: string,
  name: string,
  properties: string,
): Promise<{ code: number | null; stderr: string }> {
  const file = join(dir, `${name}-bad.properties`);
  await writeFile(file, properties);
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--config", file, "--name", name], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    err += c;
  });
  const code = await new Promise<number | null>((res) => child.once("exit", (c) => res(c)));
  return { code, stderr: err };
}

export interface Collector {
  port: number;
  url: string;
  /** Every request body received, parsed, in arrival order (including ones answered with an error). */
  requests: { events: AgentEvent[]; status: number; contentType: string | undefined }[];
  /** Events of requests answered 2xx. */
  accepted(): AgentEvent[];
  /** Decides the status of each request; may return a promise to hold the response. */
  respond: (events: AgentEvent[], req: IncomingMessage) => number | Promise<number>;
  close(): Promise<void>;
}

export async function startCollector(respond: Collector["respond"] = () => 200): Promise<Collector> {
  const c: Collector = {
    port: 0,
    url: "",
    requests: [],
    accepted: () => c.requests.filter((r) => r.status >= 200 && r.status < 300).flatMap((r) => r.events),
    respond,
    close: async () => {},
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", async () => {
      const events = JSON.parse(Buffer.concat(chunks).toString("utf8")) as AgentEvent[];
      const entry = { events, status: 0, contentType: req.headers["content-type"] };
      c.requests.push(entry);
      const status = await c.respond(events, req);
      entry.status = status;
      if (!res.destroyed) res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  c.port = (server.address() as AddressInfo).port;
  c.url = `http://127.0.0.1:${c.port}/ingest`;
  c.close = () =>
    new Promise<void>((r) => {
      live.delete(c);
      server.close(() => r());
      server.closeAllConnections();
    });
  live.add(c);
  return c;
}

/** POSTs events to a source; returns the status. */
export async function post(port: number, body: string | unknown[]): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  await r.arrayBuffer();
  return r.status;
}

export function events(prefix: string, n: number, from = 0): AgentEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    headers: { seq: String(from + i) },
    body: `${prefix}-${from + i}`,
  }));
}

/** Polls `cond` every 20 ms until true or timeout. */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills every process and closes every server and temp dir still registered. */
export async function cleanup(): Promise<void> {
  for (const h of [...live].reverse()) {
    live.delete(h);
    await h.close();
  }
}
