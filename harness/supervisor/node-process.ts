/**
 * One engine node as a real OS process: spawned with execa, ready when it prints the ready line
 * (engines/shared/ready-signal.ts), its stdout and stderr appended to logs/<node>.log. Faults are
 * real signals: kill = SIGKILL, pause/resume = SIGSTOP/SIGCONT, stop = SIGTERM then SIGKILL after a
 * grace period. Restart spawns the same command again on the same ports and data directory.
 */

import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { execa, type ResultPromise } from "execa";
import { parseReady, type ReadySignal } from "../../engines/shared/ready-signal.ts";
import { FaultbenchError } from "../errors.ts";

export interface NodeSpec {
  name: string;
  /** The executable and its arguments; never a shell string. */
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  logPath: string;
  readyTimeoutMs: number;
  /** Open a Node IPC channel; messages arrive at `onMessage`. */
  ipc?: boolean;
  /** Nodes of one tier are stopped together at shutdown (default: each node is its own tier). */
  tier?: string;
  /**
   * For a server we did not write (redis-server, nats-server), which prints no ready line: the
   * line of its own output (stdout or stderr) that means it is ready, and the ports it was
   * configured with.
   */
  readyLine?: { pattern: RegExp; ports: Record<string, number> };
}

/**
 * The command, arguments and working directory that run one of this project's TypeScript entry
 * points (`script`, relative to the project root) as its own node process.
 */
export function tsxNode(
  projectRoot: string,
  script: string,
  args: readonly string[],
): Pick<NodeSpec, "command" | "args" | "cwd"> {
  return {
    command: process.execPath,
    args: ["--import", "tsx", join(projectRoot, script), ...args],
    cwd: projectRoot,
  };
}

export type NodeState = "stopped" | "starting" | "running" | "paused";

export interface NodeExit {
  node: string;
  code: number | null;
  signal: string | null;
  /** True when the harness asked for it (kill, stop); false for a crash. */
  expected: boolean;
}

export class NodeProcess {
  state: NodeState = "stopped";
  pid: number | undefined;
  ports: Record<string, number> = {};
  private child: ResultPromise | undefined;
  private log: WriteStream;
  private expectingExit = false;
  private tail: string[] = [];
  private exited: Promise<NodeExit> | undefined;
  /** Called on every exit, expected or not. */
  onExit: (exit: NodeExit) => void = () => {};
  /** Messages from a node started with `ipc: true`. */
  onMessage: (message: unknown) => void = () => {};

  /** Sends a message to a node started with `ipc: true`; false when it is not running. */
  send(message: unknown): boolean {
    const c = this.child as unknown as { send?: (m: unknown) => boolean; connected?: boolean } | undefined;
    if (!c?.send || c.connected === false) return false;
    try {
      return c.send(message);
    } catch {
      return false;
    }
  }

  constructor(readonly spec: NodeSpec) {
    this.log = createWriteStream(spec.logPath, { flags: "a" });
  }

  /** Spawns the process and resolves once it has announced readiness. */
  async start(): Promise<ReadySignal> {
    if (this.state !== "stopped") throw new Error(`${this.spec.name} is already ${this.state}`);
    this.state = "starting";
    this.expectingExit = false;
    this.log.write(`--- ${new Date().toISOString()} starting ${this.spec.name}\n`);
    const child = execa(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...this.spec.env, FAULTBENCH_SUPERVISED: "1" },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      reject: false,
      buffer: false,
      cleanup: true,
      ...(this.spec.ipc ? { ipc: true, serialization: "json" as const } : {}),
    });
    if (this.spec.ipc) child.on("message", (m: unknown) => this.onMessage(m));
    this.child = child;
    this.pid = child.pid;
    let resolveReady!: (r: ReadySignal) => void;
    let rejectReady!: (e: Error) => void;
    const ready = new Promise<ReadySignal>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    const keep = (line: string) => {
      this.log.write(`${line}\n`);
      this.tail.push(line);
      if (this.tail.length > 20) this.tail.shift();
    };
    const foreign = this.spec.readyLine;
    const onLine = (line: string) => {
      const sig = foreign
        ? foreign.pattern.test(line)
          ? { faultbench: "ready" as const, node: this.spec.name, pid: child.pid ?? 0, ports: foreign.ports }
          : undefined
        : parseReady(line);
      if (sig) {
        this.ports = sig.ports;
        resolveReady(sig);
      }
      keep(line);
    };
    createInterface({ input: child.stdout }).on("line", onLine);
    createInterface({ input: child.stderr }).on("line", foreign ? onLine : keep);

    this.exited = child.then((r) => {
      const exit: NodeExit = {
        node: this.spec.name,
        code: r.exitCode ?? null,
        signal: r.signal ?? null,
        expected: this.expectingExit,
      };
      this.log.write(`--- ${new Date().toISOString()} exited code=${exit.code} signal=${exit.signal}\n`);
      this.state = "stopped";
      this.child = undefined;
      rejectReady(
        new FaultbenchError(
          "FB_ENGINE_START_FAILED",
          `${this.spec.name} exited before it was ready${this.tailText()}`,
          {
            context: {
              node: this.spec.name,
              exitCode: exit.code ?? undefined,
              signal: exit.signal ?? undefined,
            },
          },
        ),
      );
      this.onExit(exit);
      return exit;
    });

    const timer = setTimeout(() => {
      rejectReady(
        new FaultbenchError(
          "FB_ENGINE_START_TIMEOUT",
          `${this.spec.name} was not ready within ${this.spec.readyTimeoutMs} ms${this.tailText()}`,
          { context: { node: this.spec.name, pid: this.pid } },
        ),
      );
    }, this.spec.readyTimeoutMs);
    try {
      const sig = await ready;
      this.state = "running";
      return sig;
    } catch (e) {
      await this.kill();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private tailText(): string {
    return this.tail.length ? `; last output:\n    ${this.tail.slice(-8).join("\n    ")}` : "";
  }

  /** SIGKILL, resolved once the process is gone. */
  async kill(): Promise<NodeExit | undefined> {
    const child = this.child;
    if (!child) return undefined;
    this.expectingExit = true;
    // A stopped process cannot act on SIGKILL until the kernel schedules it; SIGKILL still works,
    // but continuing it first keeps the exit prompt on every platform.
    child.kill("SIGKILL");
    if (this.state === "paused") child.kill("SIGCONT");
    return this.exited;
  }

  pause(): void {
    if (!this.child || this.state !== "running") throw new Error(`${this.spec.name} is not running`);
    this.child.kill("SIGSTOP");
    this.state = "paused";
  }

  resume(): void {
    if (!this.child || this.state !== "paused") return;
    this.child.kill("SIGCONT");
    this.state = "running";
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<NodeExit | undefined> {
    const child = this.child;
    if (!child) return undefined;
    this.expectingExit = true;
    if (this.state === "paused") child.kill("SIGCONT");
    child.kill("SIGTERM");
    const exited = this.exited as Promise<NodeExit>;
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Synchronous last resort for exit handlers: SIGKILL without waiting. */
  killSync(): void {
    if (this.pid !== undefined && this.child) {
      this.expectingExit = true;
      try {
        process.kill(this.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }

  async closeLog(): Promise<void> {
    this.log.end();
    await once(this.log, "close").catch(() => undefined);
  }
}
