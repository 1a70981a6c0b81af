/**
 * The log engine as a target: boots the brokers (engines/log/main.ts) on their own data
 * directories behind one fault proxy each (they advertise the proxy, so every client connection
 * crosses `clients->broker-N`), creates the topic and starts the consumer group, each consumer its
 * own process. The producers are the Kafka client shared with external clusters.
 *
 * With more than one broker (or dedicated controllers) the brokers form a replicated cluster:
 * every broker↔broker and broker→controller connection also crosses its own proxy
 * (cluster-plan.ts), every node starts at once (a broker is ready only once the controller quorum
 * has registered it), and the topic gets `replication` replicas; partition p starts led by
 * broker-(p mod brokers + 1). Before the nodes stop, each partition's leader (results.json
 * `leadership`) and every broker's copy of each partition (Fetch as the debugging replica) are
 * read into the history, so the replica divergence check also runs offline.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { assignReplicas } from "../../../engines/log/controller/election.ts";
import { ApiKey } from "../../../engines/log/protocol/registry.ts";
import { RawClient } from "../../../engines/log/tools/raw-client.ts";
import { dumpReplica } from "../../../engines/log/tools/replica-dump.ts";
import { checkReplicaDivergence } from "../../checkers/replica-divergence.ts";
import type { ReplicasOp } from "../../history/op.ts";
import { lazyIOEnv } from "../../nemesis/power-loss.ts";
import { link } from "../../network/links.ts";
import { type Network, startNetwork, stopNetwork } from "../../network/network.ts";
import { tsxNode } from "../../supervisor/node-process.ts";
import { freePorts } from "../../supervisor/ports.ts";
import { createTopic, kafkaHandle, startConsumerGroup } from "../kafka/kafka-client.ts";
import { processNode } from "../process-node.ts";
import type { ReassignHandle, ReassignMove, Target, TargetContext, TargetNode } from "../target.ts";
import { clusterLinks, clusterNodeArgs, voters } from "./cluster-plan.ts";
import { brokerNames, clusterShape, controllerNames, logFacts } from "./facts.ts";
import { leadershipOp, type MetadataPartition } from "./leadership.ts";
import { startReassign } from "./reassign.ts";
import { replicasOp } from "./replicas-op.ts";
import type { LogTopology } from "./schema.ts";

export class LogTarget implements Target {
  private net: Network | undefined;
  private brokers: string[] | undefined;
  private readonly kafkaPorts = new Map<string, number>();

  constructor(private readonly o: TargetContext<LogTopology>) {}

  /** Where clients bootstrap (through the proxies where there are any), once started. */
  bootstrap(): string[] {
    if (!this.brokers) throw new Error("target not started");
    return this.brokers;
  }

  async start(): Promise<void> {
    const { scenario, supervisor, runDir, projectRoot } = this.o;
    const t = scenario.topology;
    const w = scenario.workload;
    const brokers = brokerNames(t);
    const shape = clusterShape(t);
    const vs = shape ? voters(shape) : [];
    const ports = await freePorts(brokers.length + vs.length);
    for (const [i, b] of brokers.entries()) this.kafkaPorts.set(b, ports[i] as number);
    const controllerPorts = new Map(vs.map((v, k) => [v.id, ports[brokers.length + k] as number]));
    const planLinks = shape ? clusterLinks(shape) : [];
    const timeout = this.o.readyTimeoutMs ?? 15_000;
    this.net = await startNetwork({
      seed: scenario.seed,
      supervisor,
      runDir,
      projectRoot,
      links: [...logFacts(scenario).links],
      upstreamPort: (n) => this.kafkaPorts.get(n) as number,
      // Links to a controller end at its controller port, even when it lives inside a broker.
      upstreamFor: (l) => {
        const p = planLinks.find((x) => x.name === l.name);
        const v = p?.port === "controller" ? vs.find((x) => x.host === p.to) : undefined;
        return v ? `127.0.0.1:${controllerPorts.get(v.id)}` : undefined;
      },
      readyTimeoutMs: timeout,
    });
    // Brokers advertise their proxy, so every client connection crosses `clients->broker-N`.
    const bootstrap = brokers.map((b) => `127.0.0.1:${this.net?.listen.get(link("clients", b).name)}`);

    // Like Kafka's shipped config/server.properties, no initial rebalance delay unless the
    // scenario asks for one: a group forms as soon as its consumers join.
    const config = {
      "group.initial.rebalance.delay.ms": 0,
      ...(shape ? { "default.replication.factor": t.replication } : {}),
      ...t.config,
    };
    const sets = Object.entries(config).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
    const listen = this.net.listen;
    const nodes = [...brokers, ...controllerNames(t)];
    for (const name of nodes) {
      const dataDir = join(runDir, "data", name);
      mkdirSync(dataDir, { recursive: true });
      const i = brokers.indexOf(name);
      supervisor.add({
        name,
        ...tsxNode(projectRoot, "engines/log/main.ts", [
          "--name",
          name,
          "--port",
          String(i >= 0 ? this.kafkaPorts.get(name) : 0),
          "--data",
          dataDir,
          ...(i >= 0 ? ["--advertised-listener", bootstrap[i] as string] : []),
          ...(shape
            ? clusterNodeArgs(shape, name, { kafka: this.kafkaPorts, controller: controllerPorts, listen })
            : ["--node-id", String(i + 1)]),
          ...sets,
        ]),
        logPath: join(runDir, "logs", `${name}.log`),
        readyTimeoutMs: shape ? Math.max(timeout, 30_000) : timeout,
        ...lazyIOEnv(scenario, name, runDir),
      });
    }
    // A cluster's nodes start together: a broker is ready once the quorum has registered it.
    await Promise.all(nodes.map((n) => supervisor.get(n).start()));

    this.brokers = bootstrap;
    await createTopic(kafkaHandle(bootstrap, w), {
      name: t.topic,
      partitions: t.partitions,
      replication: t.replication,
      configs: Object.fromEntries(Object.entries(t.topicConfig).map(([k, v]) => [k, String(v)])),
      // On brokers 1..initialBrokers only, as the controller would place them on that many.
      ...(t.initialBrokers === undefined
        ? {}
        : {
            assignments: assignReplicas(
              Array.from({ length: t.initialBrokers }, (_, i) => i + 1),
              t.partitions,
              t.replication,
            ),
          }),
    });
    await startConsumerGroup({
      supervisor,
      projectRoot,
      runDir,
      bootstrap,
      topic: t.topic,
      group: `faultbench-${scenario.name}-${Date.now()}`,
      count: w.consumers,
      sessionTimeout: t.sessionTimeout,
      rebalanceTimeout: t.rebalanceTimeout,
      heartbeatInterval: t.heartbeatInterval,
      fetchMaxWait: t.fetchMaxWait,
      readyTimeoutMs: timeout,
      sink: this.o.sink,
    });
  }

  node(name: string): TargetNode | undefined {
    const p = this.o.supervisor.nodes.get(name);
    return p && processNode(p);
  }

  network(): Network | undefined {
    return this.net;
  }

  reassign(move: ReassignMove): Promise<ReassignHandle> {
    const { topology, workload } = this.o.scenario;
    return startReassign(kafkaHandle(this.bootstrap(), workload), topology.topic, move);
  }

  /** The topic's partitions (leader, replicas) as a running broker's Metadata shows them. */
  private async topicMetadata(): Promise<MetadataPartition[] | undefined> {
    for (const [broker, port] of this.kafkaPorts) {
      if (this.o.supervisor.nodes.get(broker)?.state !== "running") continue;
      try {
        const c = await RawClient.connect(port, "127.0.0.1");
        try {
          const md = (await c.request(ApiKey.Metadata, 1, {
            topics: [{ name: this.o.scenario.topology.topic }],
          })) as { topics: Array<{ partitions: MetadataPartition[] }> };
          return md.topics[0]?.partitions ?? [];
        } finally {
          c.close();
        }
      } catch {
        // not answering: ask the next one
      }
    }
    return undefined;
  }

  /** Each partition's replicas (broker names). */
  private static replicaNames(md: readonly MetadataPartition[]): Map<number, Set<string>> {
    return new Map(md.map((p) => [p.partitionIndex, new Set(p.replicaNodes.map((id) => `broker-${id}`))]));
  }

  /** Partition leadership at the end (a cluster only), for `leadership` in results.json. */
  private recordLeadership(md: readonly MetadataPartition[] | undefined): void {
    const { topology } = this.o.scenario;
    const samples = this.o.samples;
    if (!samples || !md || !clusterShape(topology)) return;
    samples.record(leadershipOp(samples.now(), topology.topic, brokerNames(topology), md));
  }

  /**
   * Records partition leadership, then reads every running broker's copy of each partition into
   * the history (replica divergence).
   * Followers trail the leader by a fetch, so the reading repeats for up to 5 s until the replicas
   * agree; the last reading is recorded either way.
   */
  private async recordReplicas(): Promise<void> {
    const t = this.o.scenario.topology;
    const samples = this.o.samples;
    if (!samples) return;
    if (t.replication < 2) {
      if (clusterShape(t)) this.recordLeadership(await this.topicMetadata());
      return;
    }
    // Only the partition's replicas hold it: other brokers' copies are empty (never placed there,
    // or deleted when a reassignment moved the partition away).
    const md = await this.topicMetadata();
    this.recordLeadership(md);
    const owners = md && LogTarget.replicaNames(md);
    const policy =
      t.topicConfig["cleanup.policy"] ?? t.config["log.cleanup.policy"] ?? t.config["cleanup.policy"];
    const compacted = String(policy ?? "").includes("compact");
    const read = async (p: number) => {
      const replicas: ReplicasOp["replicas"] = [];
      for (const [broker, port] of this.kafkaPorts) {
        if (this.o.supervisor.nodes.get(broker)?.state !== "running") continue;
        if (owners && !owners.get(p)?.has(broker)) continue;
        try {
          const d = await dumpReplica("127.0.0.1", port, t.topic, p, { records: compacted });
          replicas.push({
            broker,
            highWatermark: d.highWatermark,
            logStartOffset: d.logStartOffset,
            batches: d.batches,
            ...(d.records ? { records: d.records } : {}),
          });
        } catch {
          // A broker that does not answer is left out; the check says how many replicas it saw.
        }
      }
      return replicas;
    };
    for (let p = 0; p < t.partitions; p++) {
      let replicas = await read(p);
      const agree = () =>
        checkReplicaDivergence("", Math.max(-1, ...replicas.map((r) => r.highWatermark)), replicas, {
          compacted,
        }).ok;
      const end = Date.now() + 5000;
      while (!agree() && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        replicas = await read(p);
      }
      samples.record(replicasOp(samples.now(), t.topic, p, replicas, compacted));
    }
  }

  async close(): Promise<void> {
    await this.recordReplicas().catch(() => undefined);
    await stopNetwork(this.net);
  }
}
