/** A real log cluster for tests: N broker processes (brokers 1–3 also run the Raft controller). */

import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseReady } from "../../../../engines/shared/ready-signal.ts";
import { defer } from "./tmp.ts";

/** Settings that make failure detection and elections take well under two seconds. */
export const fastCluster = {
  "broker.session.timeout.ms": "1500",
  "broker.heartbeat.interval.ms": "200",
  "controller.quorum.election.timeout.ms": "300",
  "replica.lag.time.max.ms": "2000",
  "default.replication.factor": "3",
  "min.insync.replicas": "2",
  "group.initial.rebalance.delay.ms": "0",
  "group.min.session.timeout.ms": "1000",
};

type After = { after: (fn: () => unknown) => void };

/** Ports that were free a moment ago (bound together, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import("node:net").Server>((resolve) => {
          const s = createServer();
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface ClusterNode {
  id: number;
  port: number;
  proc: ChildProcess | undefined;
  stderr: string;
  start(): Promise<void>;
  stop(signal: NodeJS.Signals): Promise<void>;
  pause(): void;
  resume(): void;
}

export interface TestCluster {
  nodes: ClusterNode[];
  bootstrap: string[];
  node(id: number): ClusterNode;
}

export async function spawnCluster(
  t: After,
  dir: string,
  brokers: number,
  sets: Record<string, string> = {},
  voters = Math.min(3, brokers),
): Promise<TestCluster> {
  const ports = await freePorts(brokers + voters);
  const kafkaPorts = ports.slice(0, brokers);
  const controllerPorts = ports.slice(brokers);
  const controllers = controllerPorts.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(",");
  const nodes: ClusterNode[] = kafkaPorts.map((port, i) => {
    const id = i + 1;
    const node: ClusterNode = {
      id,
      port,
      proc: undefined,
      stderr: "",
      async start() {
        const args = [
          "--import",
          "tsx",
          "engines/log/main.ts",
          "--node-id",
          String(id),
          "--name",
          `broker-${id}`,
        ];
        args.push("--port", String(port), "--data", join(dir, `broker-${id}`), "--controllers", controllers);
        for (const [k, v] of Object.entries(sets)) args.push("--set", `${k}=${v}`);
        const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
        node.proc = proc;
        proc.stderr!.on("data", (d: Buffer) => {
          node.stderr += d.toString();
          if (process.env.CLUSTER_DEBUG) process.stderr.write(d);
        });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`broker ${id} did not start: ${node.stderr}`)),
            30_000,
          );
          createInterface({ input: proc.stdout! }).on("line", (line) => {
            if (parseReady(line)) {
              clearTimeout(timer);
              resolve();
            }
          });
          proc.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`broker ${id} exited (${code}) before ready: ${node.stderr}`));
          });
        });
      },
      async stop(signal) {
        const p = node.proc;
        if (!p || p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise((r) => p.once("exit", r));
        if (signal !== "SIGCONT") p.kill("SIGCONT");
        p.kill(signal);
        await exited;
      },
      pause: () => node.proc?.kill("SIGSTOP"),
      resume: () => node.proc?.kill("SIGCONT"),
    };
    return node;
  });
  defer(t, async () => {
    for (const n of nodes) {
      if (n.proc && n.proc.exitCode === null && n.proc.signalCode === null) {
        n.proc.kill("SIGCONT");
        n.proc.kill("SIGKILL");
      }
    }
  });
  await Promise.all(nodes.map((n) => n.start()));
  return {
    nodes,
    bootstrap: kafkaPorts.map((p) => `127.0.0.1:${p}`),
    node: (id) => nodes[id - 1]!,
  };
}
