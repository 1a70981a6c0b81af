/**
 * Redis Streams as a target: redis-server from its Debian package, started by the harness with a
 * redis.conf in the run directory, behind one fault proxy (`clients->redis-1`) that producers and
 * consumers cross; the consumer group on every stream, and each consumer its own process. The
 * client is the pipelined XADD producers.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import type { PlannedMessage } from "../../generator/schedule.ts";
import { link } from "../../network/links.ts";
import { type Network, startNetwork, stopNetwork } from "../../network/network.ts";
import type { Scenario } from "../../scenario/load.ts";
import { tsxNode } from "../../supervisor/node-process.ts";
import { freePorts } from "../../supervisor/ports.ts";
import { processNode } from "../process-node.ts";
import { boundToHarness, requireBinary } from "../shared/foreign-binary.ts";
import type { RunsReport } from "../shared/id-runs.ts";
import type { Client, SendOutcome, Target, TargetContext, TargetNode } from "../target.ts";
import { redisConf, redisReadyLine } from "./config.ts";
import { redisFacts, redisNode } from "./facts.ts";
import { ensureGroup } from "./group.ts";
import { RedisProducers } from "./producer.ts";
import { type RedisTopology, streamNames } from "./topology.ts";

export const redisServer = { command: "redis-server", debianPackage: "redis-server" };

export class RedisTarget implements Target {
  private net: Network | undefined;
  /** The port clients use: the proxy's. */
  clientPort = 0;

  constructor(private readonly o: TargetContext<RedisTopology>) {}

  async start(): Promise<void> {
    const { scenario, supervisor, runDir, projectRoot, sink } = this.o;
    const t = scenario.topology;
    const binary = requireBinary(redisServer);
    const [port] = (await freePorts(1)) as [number];
    const timeout = this.o.readyTimeoutMs ?? 15_000;
    this.net = await startNetwork({
      seed: scenario.seed,
      supervisor,
      runDir,
      projectRoot,
      links: [...redisFacts(scenario).links],
      upstreamPort: () => port,
      readyTimeoutMs: timeout,
    });
    this.clientPort = this.net.listen.get(link("clients", redisNode).name) as number;

    const dataDir = resolve(runDir, "data", redisNode);
    mkdirSync(dataDir, { recursive: true });
    const conf = join(dataDir, "redis.conf");
    writeFileSync(conf, redisConf({ port, dataDir, topology: t }));
    await supervisor
      .add({
        name: redisNode,
        ...boundToHarness(binary, [conf]),
        cwd: dataDir,
        logPath: join(runDir, "logs", `${redisNode}.log`),
        readyTimeoutMs: timeout,
        readyLine: { pattern: redisReadyLine, ports: { client: port } },
      })
      .start();

    const streams = streamNames(t);
    const group = `faultbench-${scenario.name}`;
    const admin = new Redis({ host: "127.0.0.1", port: this.clientPort, lazyConnect: true });
    admin.on("error", () => undefined);
    try {
      await admin.connect();
      await ensureGroup(admin, streams, group);
    } finally {
      admin.disconnect();
    }

    const consumers = redisFacts(scenario).consumers;
    for (const name of consumers) {
      const node = supervisor.add({
        name,
        ...tsxNode(projectRoot, "harness/targets/redis/consumer-process.ts", [
          "--name",
          name,
          "--port",
          String(this.clientPort),
          "--streams",
          streams.join(","),
          "--group",
          group,
          "--claim-idle",
          String(t.claimIdle),
          "--count",
          String(t.readCount),
        ]),
        logPath: join(runDir, "logs", `${name}.log`),
        readyTimeoutMs: timeout,
        ipc: true,
        tier: "consumers",
      });
      node.onMessage = (m) => {
        const r = m as RunsReport;
        for (const [producer, from, to] of r.runs) sink.delivered(name, name, producer, from, to);
        if (r.unparsed > 0) sink.unparsed(name, r.unparsed, r.sample ?? "");
      };
    }
    await Promise.all(consumers.map((c) => supervisor.get(c).start()));
  }

  node(name: string): TargetNode | undefined {
    const p = this.o.supervisor.nodes.get(name);
    return p && processNode(p);
  }

  network(): Network | undefined {
    return this.net;
  }

  async close(): Promise<void> {
    await stopNetwork(this.net);
  }
}

export class RedisClient implements Client {
  private producers: RedisProducers | undefined;

  /** `port`: where the producers connect (the fault proxy), known once the target started. */
  constructor(
    private readonly port: () => number,
    private readonly scenario: Scenario<RedisTopology>,
  ) {}

  async start(): Promise<void> {
    const w = this.scenario.workload;
    this.producers = new RedisProducers(w.producers, {
      port: this.port(),
      streams: streamNames(this.scenario.topology),
      timeoutMs: w.timeout,
      messageSize: w.messageSize,
    });
    await this.producers.connect();
  }

  send(producer: number, batch: readonly PlannedMessage[]): Promise<SendOutcome> {
    if (!this.producers) throw new Error("client not started");
    return this.producers.send(producer, batch);
  }

  async close(): Promise<void> {
    await this.producers?.close();
  }

  /** For load workers in other processes: the port they connect to. */
  endpoint(): { port: number } | undefined {
    return this.producers ? { port: this.port() } : undefined;
  }
}

/** A load worker's client, from the harness client's endpoint. */
export function remoteRedisClient(scenario: Scenario<RedisTopology>, endpoint: unknown): RedisClient {
  const port = (endpoint as { port?: unknown } | undefined)?.port;
  if (typeof port !== "number") throw new Error(`not a redis endpoint: ${JSON.stringify(endpoint)}`);
  return new RedisClient(() => port, scenario);
}
