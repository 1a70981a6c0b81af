/** Starts `faultbench worker` as its own process (optionally inside a network namespace) for tests. */

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = join(import.meta.dirname, "../..");

export interface WorkerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startWorker(
  opts: { args?: string[]; env?: Record<string, string>; netns?: string; host?: string } = {},
): Promise<WorkerProcess> {
  const host = opts.host ?? "127.0.0.1";
  const node = [
    process.execPath,
    "--import",
    "tsx",
    join(root, "harness/cli.ts"),
    "worker",
    "--listen",
    `${host}:0`,
    ...(opts.args ?? []),
  ];
  const [cmd, ...args] = opts.netns ? ["ip", "netns", "exec", opts.netns, ...node] : node;
  const child = spawn(cmd as string, args, {
    cwd: root,
    // Supervised: the worker exits when this process dies (its stdin closes), even by a timeout kill.
    env: { ...process.env, FAULTBENCH_SUPERVISED: "1", ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", (l) => {
      try {
        resolve((JSON.parse(l) as { ports: { http: number } }).ports.http);
      } catch {
        reject(new Error(`unexpected worker output: ${l}`));
      }
    });
    child.once("exit", (code) => reject(new Error(`worker exited (${code}): ${stderr}`)));
  });
  return {
    child,
    port,
    url: `http://${host}:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
