/**
 * Real peer servers for tests: redis-server and nats-server from their Debian packages, each in a
 * temporary directory on a free port, supervised like a run's nodes (so kill and restart are the
 * same signals), and consumer processes with their IPC reports collected. Everything started is
 * stopped by `close`.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeProcess, tsxNode } from "../../../../harness/supervisor/node-process.ts";
import { freePorts } from "../../../../harness/supervisor/ports.ts";
import { natsConf, natsReadyLine } from "../../../../harness/targets/nats/config.ts";
import { redisConf, redisReadyLine } from "../../../../harness/targets/redis/config.ts";
import type { RedisTopology } from "../../../../harness/targets/redis/topology.ts";
import { findBinary } from "../../../../harness/targets/shared/foreign-binary.ts";
import type { RunsReport } from "../../../../harness/targets/shared/id-runs.ts";

export const projectRoot = join(import.meta.dirname, "../../../..");

/** `skip` option for a test that needs the binary: a reason with the install command, or false. */
export function needs(command: string): string | false {
  return findBinary(command) ? false : `${command} is not installed (npm run peers:install)`;
}

export class PeerServers {
  readonly dir = mkdtempSync(join(tmpdir(), "fb-peers-"));
  private readonly nodes: NodeProcess[] = [];

  async redis(
    topology: Pick<RedisTopology, "appendonly" | "appendfsync">,
  ): Promise<{ node: NodeProcess; port: number }> {
    const [port] = (await freePorts(1)) as [number];
    const dataDir = join(this.dir, `redis-${port}`);
    const conf = join(this.dir, `redis-${port}.conf`);
    mkdirSync(dataDir);
    writeFileSync(conf, redisConf({ port, dataDir, topology }));
    const node = this.add({
      name: "redis-1",
      command: findBinary("redis-server") as string,
      args: [conf],
      cwd: dataDir,
      readyLine: { pattern: redisReadyLine, ports: { client: port } },
    });
    await node.start();
    return { node, port };
  }

  async nats(): Promise<{ node: NodeProcess; port: number }> {
    const [port] = (await freePorts(1)) as [number];
    const dataDir = join(this.dir, `nats-${port}`);
    const conf = join(this.dir, `nats-${port}.conf`);
    writeFileSync(conf, natsConf({ name: "nats-1", port, dataDir }));
    const node = this.add({
      name: "nats-1",
      command: findBinary("nats-server") as string,
      args: ["-c", conf],
      cwd: this.dir,
      readyLine: { pattern: natsReadyLine, ports: { client: port } },
    });
    await node.start();
    return { node, port };
  }

  /** A consumer process; every report it sends lands in `reports`. */
  async consumer(
    script: string,
    name: string,
    args: string[],
  ): Promise<{ node: NodeProcess; reports: RunsReport[] }> {
    const reports: RunsReport[] = [];
    const node = this.add({ name, ...tsxNode(projectRoot, script, ["--name", name, ...args]), ipc: true });
    node.onMessage = (m) => reports.push(m as RunsReport);
    await node.start();
    return { node, reports };
  }

  private add(
    spec: Omit<ConstructorParameters<typeof NodeProcess>[0], "logPath" | "readyTimeoutMs">,
  ): NodeProcess {
    const node = new NodeProcess({
      ...spec,
      logPath: join(this.dir, `${spec.name}-${this.nodes.length}.log`),
      readyTimeoutMs: 15_000,
    });
    this.nodes.push(node);
    return node;
  }

  async close(): Promise<void> {
    for (const n of [...this.nodes].reverse()) await n.stop(2000);
    for (const n of this.nodes) await n.closeLog();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every [producer, seq] a list of reports covers, with how often each was delivered. */
export function deliveredCounts(reports: readonly RunsReport[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of reports)
    for (const [p, from, to] of r.runs)
      for (let s = from; s <= to; s++) out.set(`${p}.${s}`, (out.get(`${p}.${s}`) ?? 0) + 1);
  return out;
}

/** Waits until `cond` holds, polling; false after `ms`. */
export async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

/** A batch of `n` planned messages of one producer from `seq`. */
export function batchOf(producer: number, seq: number, n: number, key?: (i: number) => string) {
  return Array.from({ length: n }, (_, i) => ({
    index: seq + i,
    producer,
    seq: seq + i,
    intendedUs: 0,
    key: key?.(i),
  }));
}
