/**
 * NATS JetStream as a target: nats-server from its Debian package, started by the harness with a
 * config in the run directory, behind one fault proxy (`clients->nats-1`) that producers and
 * consumers cross; the stream and its durable push consumer created through that proxy, and each
 * consumer its own process in the push consumer's queue group. The client is the JetStream
 * publishers.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { connect } from "nats";
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
import { natsConf, natsReadyLine } from "./config.ts";
import { natsFacts, natsNode } from "./facts.ts";
import { NatsProducers } from "./producer.ts";
import { ensureJetStream } from "./setup.ts";
import type { NatsTopology } from "./topology.ts";

export const natsServer = { command: "nats-server", debianPackage: "nats-server" };

export class NatsTarget implements Target {
  private net: Network | undefined;
  /** The port clients use: the proxy's. */
  clientPort = 0;

  constructor(private readonly o: TargetContext<NatsTopology>) {}

  async start(): Promise<void> {
    const { scenario, supervisor, runDir, projectRoot, sink } = this.o;
    const binary = requireBinary(natsServer);
    const [port] = (await freePorts(1)) as [number];
    const timeout = this.o.readyTimeoutMs ?? 15_000;
    this.net = await startNetwork({
      seed: scenario.seed,
      supervisor,
      runDir,
      projectRoot,
      links: [...natsFacts(scenario).links],
      upstreamPort: () => port,
      readyTimeoutMs: timeout,
    });
    this.clientPort = this.net.listen.get(link("clients", natsNode).name) as number;

    const dataDir = resolve(runDir, "data", natsNode);
    mkdirSync(dataDir, { recursive: true });
    const conf = join(dataDir, "nats.conf");
    writeFileSync(conf, natsConf({ name: natsNode, port, dataDir }));
    await supervisor
      .add({
        name: natsNode,
        ...boundToHarness(binary, ["-c", conf]),
        cwd: dataDir,
        logPath: join(runDir, "logs", `${natsNode}.log`),
        readyTimeoutMs: timeout,
        readyLine: { pattern: natsReadyLine, ports: { client: port } },
      })
      .start();

    const nc = await connect({ servers: `127.0.0.1:${this.clientPort}`, name: "faultbench-setup" });
    try {
      await ensureJetStream(await nc.jetstreamManager(), scenario.topology);
    } finally {
      await nc.close();
    }

    const consumers = natsFacts(scenario).consumers;
    for (const name of consumers) {
      const node = supervisor.add({
        name,
        ...tsxNode(projectRoot, "harness/targets/nats/consumer-process.ts", [
          "--name",
          name,
          "--port",
          String(this.clientPort),
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

export class NatsClient implements Client {
  private producers: NatsProducers | undefined;

  /** `port`: where the producers connect (the fault proxy), known once the target started. */
  constructor(
    private readonly port: () => number,
    private readonly scenario: Scenario<NatsTopology>,
  ) {}

  async start(): Promise<void> {
    const w = this.scenario.workload;
    this.producers = new NatsProducers(w.producers, {
      port: this.port(),
      topology: this.scenario.topology,
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
export function remoteNatsClient(scenario: Scenario<NatsTopology>, endpoint: unknown): NatsClient {
  const port = (endpoint as { port?: unknown } | undefined)?.port;
  if (typeof port !== "number") throw new Error(`not a nats endpoint: ${JSON.stringify(endpoint)}`);
  return new NatsClient(() => port, scenario);
}
