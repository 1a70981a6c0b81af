/**
 * Nodes of a system the harness did not start (an external cluster), after Jepsen's per-node
 * control: each node fault runs a command the user wrote in the scenario, as an argument list
 * without a shell (`kill: [systemctl, kill, -s, KILL, kafka]`). A command that exits non-zero or
 * runs past its timeout fails the fault step, with its output's last line as the reason. After
 * `start`, the node counts as back once its address accepts TCP connections.
 */

import { connect } from "node:net";
import { execa } from "execa";
import { z } from "zod";
import { isLoopbackHost, parseHostPort } from "../proxy/address.ts";
import type { ParsedScenario } from "../scenario/scenario.ts";
import { duration, obj } from "../scenario/schema.ts";
import type { NodeFacts, NodeFaultKind, Problem, TargetNode } from "./target.ts";

const command = z
  .array(z.string().min(1), { error: 'must be an argument list, e.g. [kill, -9, "1234"] (no shell)' })
  .min(1, { error: "needs at least the program" });

/** The per-node control section shared by external targets. */
export const nodeControlFields = {
  /** host:port the node serves on; after `start` the node is back when this accepts connections. */
  address: z.string().optional(),
  kill: command.optional(),
  start: command.optional(),
  stop: command.optional(),
  pause: command.optional(),
  resume: command.optional(),
  /** The longest a command may run (default 30s), and the longest a start may take to listen. */
  timeout: duration.default(30_000),
};

export const nodeControlSchema = obj(nodeControlFields);
export type NodeControl = z.output<typeof nodeControlSchema>;

/** Which faults a node's commands make possible, and a hint naming what is missing otherwise. */
export function controlFacts(name: string, path: string, c: NodeControl | undefined): NodeFacts {
  const faults: NodeFaultKind[] = [];
  if (c?.kill) faults.push("kill");
  if (c?.pause && c.resume) faults.push("pause");
  if (c?.stop && c.start) faults.push("restart");
  const missing = [
    !c?.kill && "kill",
    !c?.pause && "pause",
    !c?.resume && "resume",
    !c?.stop && "stop",
    !c?.start && "start",
  ].filter(Boolean);
  const hint =
    `node faults on an external cluster run your commands: give ${path}.${name} ` +
    `${missing.join(", ")} as argument lists (kill needs kill; restartAfter and restart need start; ` +
    "pause needs pause and resume; restart needs stop); without them only network faults apply";
  return { name, role: "server", faults, hint };
}

export function commandNode(name: string, c: NodeControl, log: (line: string) => void): TargetNode {
  const run = async (what: keyof NodeControl) => {
    const cmd = c[what] as string[] | undefined;
    if (!cmd) throw new Error(`${name} has no ${what} command`);
    const [file, ...args] = cmd as [string, ...string[]];
    log(`${what}: ${cmd.join(" ")}`);
    const r = await execa(file, args, { reject: false, timeout: c.timeout, all: true, stdin: "ignore" });
    if (r.all) log(r.all.trimEnd());
    if (r.timedOut) throw new Error(`${what} command ran longer than ${c.timeout} ms`);
    if (r.failed) {
      const last = (r.all ?? "").trim().split("\n").at(-1) || r.shortMessage;
      throw new Error(`${what} command failed (exit ${r.exitCode ?? "?"}): ${last}`);
    }
  };
  return {
    name,
    kill: () => run("kill"),
    pause: () => run("pause"),
    resume: () => run("resume"),
    stop: () => run("stop"),
    start: async () => {
      await run("start");
      if (c.address) await waitForListener(c.address, c.timeout);
    },
  };
}

/** Resolves once `address` accepts a TCP connection; rejects after `timeoutMs`. */
export async function waitForListener(address: string, timeoutMs: number): Promise<void> {
  const hp = parseHostPort(address);
  if (!hp) throw new Error(`${address} is not host:port`);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: hp.host, port: hp.port });
      s.setTimeout(1000);
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
      s.once("timeout", () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`${address} did not accept connections within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Checks node addresses and that every kill that restarts has a start command. */
export function checkControl(
  path: string,
  nodes: Record<string, NodeControl>,
  s: ParsedScenario,
  p: Problem,
): void {
  for (const [name, c] of Object.entries(nodes)) {
    if (c.address !== undefined && !parseHostPort(c.address))
      p(`${path}.${name}.address`, `"${c.address}" is not host:port`);
  }
  s.faults.forEach((f, i) => {
    if (f.kind === "kill" && f.restartAfter !== undefined && nodes[f.node] && !nodes[f.node]?.start)
      p(
        `faults[${i}].restartAfter`,
        `needs a start command to bring ${f.node} back: give ${path}.${f.node}.start as an argument list`,
      );
  });
}

/** `host:port` on loopback, for addresses the harness's proxy listens on. */
export function checkLoopbackAddress(where: string, value: string, p: Problem): void {
  const hp = parseHostPort(value);
  if (!hp || hp.port === 0) p(where, `"${value}" is not host:port with a fixed port`);
  else if (!isLoopbackHost(hp.host))
    p(where, `the harness's proxy listens on loopback only (127.0.0.1:PORT); got ${value}`);
}
