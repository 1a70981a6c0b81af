/** A real log cluster for tests: N broker processes (brokers 1–3 also run the Raft controller). */

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ApiKey } from "../../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../../engines/log/tools/raw-client.ts";
import { parseReady } from "../../../../engines/shared/ready-signal.ts";
import { pickPorts } from "../../../../lib/pick-ports.ts";
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

/** Ports below the ephemeral range, so nothing else on the machine takes them before the nodes bind. */
export const freePorts = (n: number) => pickPorts(n);

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
  /** Dedicated controller processes (empty in combined mode). */
  controllers: ClusterNode[];
  bootstrap: string[];
  node(id: number): ClusterNode;
}

/**
 * `dedicated` = 0: brokers 1–3 run the controller quorum (combined); otherwise that many
 * controller-only processes (ids 101…, in `controllers`), so pausing brokers keeps a quorum.
 */
export async function spawnCluster(
  t: After,
  dir: string,
  brokers: number,
  sets: Record<string, string> = {},
  dedicated = 0,
  /** Extra `--set`s for one node (e.g. its broker.rack). */
  setsOf: (id: number) => Record<string, string> = () => ({}),
): Promise<TestCluster> {
  const voters = dedicated > 0 ? dedicated : Math.min(3, brokers);
  const ports = await freePorts(brokers + voters);
  const kafkaPorts = ports.slice(0, brokers);
  const controllerPorts = ports.slice(brokers);
  const voterId = (i: number) => (dedicated > 0 ? 101 + i : i + 1);
  const controllers = controllerPorts.map((p, i) => `${voterId(i)}@127.0.0.1:${p}`).join(",");
  const specs = [
    ...kafkaPorts.map((port, i) => ({ id: i + 1, port, name: `broker-${i + 1}`, roles: "" })),
    ...(dedicated > 0
      ? controllerPorts.map((_, i) => ({
          id: voterId(i),
          port: 0,
          name: `controller-${i + 1}`,
          roles: "controller",
        }))
      : []),
  ];
  const all: ClusterNode[] = specs.map(({ id, port, name, roles }) => {
    const node: ClusterNode = {
      id,
      port,
      proc: undefined,
      stderr: "",
      async start() {
        const args = ["--import", "tsx", "engines/log/main.ts", "--node-id", String(id), "--name", name];
        args.push("--port", String(port), "--data", join(dir, name), "--controllers", controllers);
        if (roles) args.push("--roles", roles);
        for (const [k, v] of Object.entries({ ...sets, ...setsOf(id) })) args.push("--set", `${k}=${v}`);
        const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
        node.proc = proc;
        proc.stderr!.on("data", (d: Buffer) => {
          node.stderr += d.toString();
          if (process.env.CLUSTER_DEBUG) process.stderr.write(d);
        });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${name} did not start: ${node.stderr}`)), 30_000);
          createInterface({ input: proc.stdout! }).on("line", (line) => {
            if (parseReady(line)) {
              clearTimeout(timer);
              resolve();
            }
          });
          proc.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${name} exited (${code}) before ready: ${node.stderr}`));
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
  const nodes = all.filter((n) => n.id < 100);
  const controllerNodes = all.filter((n) => n.id > 100);
  defer(t, async () => {
    for (const n of all) {
      if (n.proc && n.proc.exitCode === null && n.proc.signalCode === null) {
        n.proc.kill("SIGCONT");
        n.proc.kill("SIGKILL");
      }
    }
  });
  await Promise.all(all.map((n) => n.start()));
  return {
    nodes,
    controllers: controllerNodes,
    bootstrap: kafkaPorts.map((p) => `127.0.0.1:${p}`),
    node: (id) => nodes[id - 1]!,
  };
}

/** Partition 0 of `topic` as the first running broker's Metadata shows it (leader, ISR, epoch). */
// biome-ignore lint/suspicious/noExplicitAny: protocol responses are untyped records here
export async function partitionState(cluster: TestCluster, topic: string): Promise<Record<string, any>> {
  for (const n of cluster.nodes) {
    if (!n.proc || n.proc.exitCode !== null || n.proc.signalCode !== null) continue;
    try {
      const c = await RawClient.connect(n.port);
      try {
        const md = (await Promise.race([
          c.request(ApiKey.Metadata, 6, { topics: [{ name: topic }], allowAutoTopicCreation: false }),
          new Promise((_, rej) => setTimeout(() => rej(new Error("timeout")), 1000)),
        ])) as { topics: { partitions: Record<string, unknown>[] }[] };
        return md.topics[0]!.partitions[0]!;
      } finally {
        c.close();
      }
    } catch {
      // paused or dead: ask the next one
    }
  }
  throw new Error("no broker answered Metadata");
}
