/** Brokers for tests: in-process (serveLog) or as a real child process, always cleaned up. */

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type RunningLog, serveLog } from "../../../../engines/log/server.ts";
import { parseReady } from "../../../../engines/shared/ready-signal.ts";
import { defer } from "./tmp.ts";

type After = { after: (fn: () => unknown) => void };

export async function inProcessBroker(
  t: After,
  dataDir: string,
  config: Record<string, string> = {},
): Promise<RunningLog> {
  const b = await serveLog({ dataDir, config, log: () => {} });
  defer(t, () => b.close());
  return b;
}

export interface BrokerProcess {
  port: number;
  proc: ChildProcess;
  stderr: () => string;
  /** Sends a signal and waits for the exit; returns the exit code or signal. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `engines/log/main.ts` and waits for its ready line. */
export async function spawnBroker(
  t: After,
  dataDir: string,
  sets: Record<string, string> = {},
  extraArgs: string[] = [],
): Promise<BrokerProcess> {
  const args = ["--import", "tsx", "engines/log/main.ts", "--port", "0", "--data", dataDir, ...extraArgs];
  for (const [k, v] of Object.entries(sets)) args.push("--set", `${k}=${v}`);
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => resolve({ code, signal })),
  );
  defer(t, () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${err}`)), 20_000);
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      const r = parseReady(line);
      if (r) {
        clearTimeout(timer);
        resolve(r.ports.kafka!);
      }
    });
    void exited.then(({ code }) => reject(new Error(`broker exited (${code}) before ready: ${err}`)));
  });
  return {
    port,
    proc,
    stderr: () => err,
    async stop(signal) {
      proc.kill(signal);
      return exited;
    },
  };
}
