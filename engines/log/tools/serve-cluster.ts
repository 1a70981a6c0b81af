/**
 * `faultbench serve cluster`: a local log cluster in the foreground for anyone who wants a
 * Kafka-compatible cluster to try. Each node is its own child process started with a plain
 * `faultbench serve log --node-id N --controllers …` command line (printed), so any one of them
 * can be killed (kill -9), paused (kill -STOP) or restarted by hand. Ctrl-C or SIGTERM stops
 * every node gracefully (controlled shutdown); the nodes also exit if this process dies.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { FaultbenchError } from "../../../lib/errors.ts";
import { pickPorts } from "../../../lib/pick-ports.ts";
import { formatReady, parseReady } from "../../shared/ready-signal.ts";

export interface ServeClusterOptions {
  brokers: number;
  /** 1 or 3 dedicated controller processes, or "combined" (the quorum inside brokers 1–3). */
  controllers: "combined" | number;
  dataDir: string;
  host: string;
  /** First broker's Kafka port (the next ones follow); 0 = free ports. */
  port: number;
  sets: string[];
  /** broker.rack of each broker in turn (broker b gets racks[(b − 1) mod n]); none when empty. */
  racks?: string[];
  out?: (line: string) => void;
}

const BIN = fileURLToPath(new URL("../../../bin/faultbench.js", import.meta.url));

interface NodePlan {
  name: string;
  id: number;
  args: string[];
}

/** The command lines of every node (pure apart from the ports passed in). */
export function planCluster(
  o: ServeClusterOptions,
  kafkaPorts: number[],
  controllerPorts: number[],
): NodePlan[] {
  const combined = o.controllers === "combined";
  const racks = o.racks ?? [];
  const voterIds = combined
    ? Array.from({ length: Math.min(3, o.brokers) }, (_, i) => i + 1)
    : Array.from({ length: o.controllers as number }, (_, i) => 100 + i + 1);
  const controllers = voterIds.map((id, i) => `${id}@${o.host}:${controllerPorts[i]}`).join(",");
  const common = (id: number, name: string) => [
    "serve",
    "log",
    "--node-id",
    String(id),
    "--name",
    name,
    "--host",
    o.host,
    "--data",
    join(resolve(o.dataDir), name),
    "--controllers",
    controllers,
    ...o.sets.flatMap((s) => ["--set", s]),
  ];
  const plans: NodePlan[] = [];
  if (!combined) {
    voterIds.forEach((id, i) => {
      plans.push({
        name: `controller-${i + 1}`,
        id,
        args: [...common(id, `controller-${i + 1}`), "--roles", "controller"],
      });
    });
  }
  for (let b = 1; b <= o.brokers; b++) {
    const roles = combined && voterIds.includes(b) ? "broker,controller" : "broker";
    plans.push({
      name: `broker-${b}`,
      id: b,
      args: [
        ...common(b, `broker-${b}`),
        ...(racks.length > 0 ? ["--set", `broker.rack=${racks[(b - 1) % racks.length]}`] : []),
        "--port",
        String(kafkaPorts[b - 1]),
        "--roles",
        roles,
      ],
    });
  }
  return plans;
}

export async function serveCluster(o: ServeClusterOptions): Promise<void> {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  if (!Number.isInteger(o.brokers) || o.brokers < 1 || o.brokers > 9) {
    throw new FaultbenchError("FB_USAGE", "--brokers must be 1..9");
  }
  if (o.controllers !== "combined" && o.controllers !== 1 && o.controllers !== 3) {
    throw new FaultbenchError("FB_USAGE", "--controllers must be 1, 3 or combined");
  }
  if ((o.racks ?? []).some((r) => !/^[A-Za-z0-9._-]+$/.test(r))) {
    throw new FaultbenchError(
      "FB_USAGE",
      "--racks is a comma-separated list of rack names, e.g. az-a,az-b,az-c",
    );
  }
  const voters = o.controllers === "combined" ? Math.min(3, o.brokers) : o.controllers;
  const free = await pickPorts(voters + (o.port === 0 ? o.brokers : 0), o.host);
  const kafkaPorts =
    o.port === 0 ? free.slice(voters) : Array.from({ length: o.brokers }, (_, i) => o.port + i);
  const plans = planCluster(o, kafkaPorts, free.slice(0, voters));
  mkdirSync(o.dataDir, { recursive: true });
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    out("stopping every node (SIGTERM)");
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    const force = setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
      process.exit(code);
    }, 15_000);
    force.unref();
    Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once("exit", r)),
      ),
    ).then(() => process.exit(code));
  };
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  const ready = plans.map(
    (p) =>
      new Promise<Record<string, number>>((res, rej) => {
        out(`${p.name}: faultbench ${p.args.join(" ")}`);
        const child = spawn(process.execPath, [BIN, ...p.args], {
          stdio: ["pipe", "pipe", "pipe"],
          env: { ...process.env, FAULTBENCH_SUPERVISED: "1" },
        });
        children.push(child);
        createInterface({ input: child.stdout! }).on("line", (line) => {
          const r = parseReady(line);
          if (r) res(r.ports);
          else out(`[${p.name}] ${line}`);
        });
        createInterface({ input: child.stderr! }).on("line", (line) => out(`[${p.name}] ${line}`));
        child.once("exit", (code, signal) => {
          rej(
            new FaultbenchError(
              "FB_ENGINE_CRASHED",
              `${p.name} exited (${code ?? signal}) before it was ready`,
            ),
          );
          if (!stopping)
            out(`${p.name} (pid ${child.pid}) exited: ${code ?? signal} — restart it with the command above`);
        });
      }),
  );
  try {
    await Promise.all(ready);
  } catch (e) {
    stopAll(3);
    throw e;
  }
  const bootstrap = kafkaPorts.map((p) => `${o.host}:${p}`).join(",");
  for (let i = 0; i < plans.length; i++) out(`${plans[i]!.name}: pid ${children[i]!.pid}`);
  out(`bootstrap: ${bootstrap}`);
  out(formatReady("cluster", Object.fromEntries(kafkaPorts.map((p, i) => [`broker-${i + 1}`, p]))));
}
