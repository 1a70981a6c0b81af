/**
 * The processes a benchmark starts (brokers, agents, load and latency clients) die with it: on a
 * normal exit, an uncaught error, Ctrl-C or SIGTERM every child still running gets SIGKILL, so an
 * interrupted bench leaves no engine holding ports and CPU behind.
 */

import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

const running = new Set<ChildProcess>();

function killAll(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  running.clear();
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", killAll);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

/** child_process.spawn, and the child is killed when this process ends however it ends. */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  install();
  const child = spawn(command, args, options);
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}
