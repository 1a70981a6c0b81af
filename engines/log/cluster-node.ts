/**
 * One node of a log cluster (`serve log --node-id N --controllers 1@host:port,...`): a controller
 * (a Raft voter of the metadata quorum), a broker, or both ("combined", KRaft's
 * `process.roles=broker,controller`). The broker part is the single broker of server.ts with the
 * cluster attached: it registers with the active controller, follows the metadata image, and
 * replicates (replication/). On close it first runs a controlled shutdown, so its leaderships
 * move to ISR members before it stops answering.
 */

import { FaultbenchError } from "../../lib/errors.ts";
import type { BrokerContext } from "./broker-context.ts";
import { parseBrokerConfig } from "./config.ts";
import { type RunningController, startController } from "./controller/controller.ts";
import { QuorumClient } from "./controller/quorum-client.ts";
import { clusterHandlers } from "./replication/cluster-handlers.ts";
import { ReplicaManager } from "./replication/replica-manager.ts";
import { serveLog } from "./server.ts";

export type Address = { host: string; port: number };

export interface ClusterNodeOptions {
  nodeId: number;
  roles: { broker: boolean; controller: boolean };
  /** How this node reaches every controller voter (id → address). */
  controllers: Map<number, Address>;
  /** Port this node's controller binds (default: the port of its own --controllers entry). */
  controllerPort?: number;
  host: string;
  port: number;
  dataDir: string;
  advertisedHost?: string;
  advertisedPort?: number;
  /** How this node reaches other brokers' Kafka ports for replication (default: as registered). */
  peers?: Map<number, Address>;
  config: Record<string, string>;
  log?: (msg: string) => void;
}

/** `1@host:port,2@host:port` → id → address. */
export function parseControllers(v: string): Map<number, Address> {
  const out = new Map<number, Address>();
  for (const part of v.split(",").filter((s) => s.trim() !== "")) {
    const m = /^(\d+)@(.+):(\d+)$/.exec(part.trim());
    if (!m) throw new FaultbenchError("FB_USAGE", `--controllers expects id@host:port,..., got ${part}`);
    out.set(Number(m[1]), { host: m[2]!, port: Number(m[3]) });
  }
  if (out.size === 0) throw new FaultbenchError("FB_USAGE", "--controllers names no controller");
  return out;
}

/** `--peer 2=host:port` values → id → address. */
export function parsePeers(values: string[]): Map<number, Address> {
  const out = new Map<number, Address>();
  for (const v of values) {
    const m = /^(\d+)=(.+):(\d+)$/.exec(v.trim());
    if (!m) throw new FaultbenchError("FB_USAGE", `--peer expects id=host:port, got ${v}`);
    out.set(Number(m[1]), { host: m[2]!, port: Number(m[3]) });
  }
  return out;
}

/** `broker`, `controller` or `broker,controller`. */
export function parseRoles(v: string): { broker: boolean; controller: boolean } {
  const parts = new Set(v.split(",").map((s) => s.trim()));
  const ok = [...parts].every((p) => p === "broker" || p === "controller");
  if (!ok || parts.size === 0)
    throw new FaultbenchError(
      "FB_USAGE",
      `--roles expects broker, controller or broker,controller, got ${v}`,
    );
  return { broker: parts.has("broker"), controller: parts.has("controller") };
}

export interface RunningClusterNode {
  ports: Record<string, number>;
  close(): Promise<void>;
}

export async function serveClusterNode(opts: ClusterNodeOptions): Promise<RunningClusterNode> {
  const config = parseBrokerConfig(opts.config);
  const log = opts.log ?? ((m: string) => process.stderr.write(`[node-${opts.nodeId}] ${m}\n`));
  let controller: RunningController | undefined;
  const ports: Record<string, number> = {};
  if (opts.roles.controller) {
    const self = opts.controllers.get(opts.nodeId);
    if (!self) {
      throw new FaultbenchError(
        "FB_USAGE",
        `node ${opts.nodeId} runs a controller but is not in --controllers`,
      );
    }
    controller = await startController({
      id: opts.nodeId,
      voters: opts.controllers,
      host: opts.host,
      port: opts.controllerPort ?? self.port,
      dataDir: opts.dataDir,
      sessionTimeoutMs: config.brokerSessionTimeoutMs,
      electionTimeoutMs: config.controllerElectionTimeoutMs,
      unclean: config.uncleanLeaderElection,
      leaderRebalance: config.autoLeaderRebalance
        ? {
            intervalMs: config.leaderImbalanceCheckIntervalSeconds * 1000,
            percentage: config.leaderImbalancePerBrokerPercentage,
          }
        : null,
      defaultReplicationFactor: config.defaultReplicationFactor,
      snapshotMaxRecords: config.metadataSnapshotMaxRecords,
      snapshotMaxBytes: config.metadataSnapshotMaxBytes,
      log,
    });
    ports.controller = controller.port;
  }
  let broker: { port: number; close(): Promise<void> } | undefined;
  if (opts.roles.broker) {
    broker = await serveLog({
      port: opts.port,
      host: opts.host,
      dataDir: opts.dataDir,
      nodeId: opts.nodeId,
      config: opts.config,
      log,
      ...(opts.advertisedHost !== undefined ? { advertisedHost: opts.advertisedHost } : {}),
      ...(opts.advertisedPort !== undefined ? { advertisedPort: opts.advertisedPort } : {}),
      attach: (ctx, port) => attachBroker(ctx, port, opts, log),
    });
    ports.kafka = broker.port;
  }
  return {
    ports,
    async close() {
      await broker?.close();
      await controller?.close();
    },
  };
}

async function attachBroker(
  ctx: BrokerContext,
  port: number,
  opts: ClusterNodeOptions,
  log: (m: string) => void,
): Promise<{ beforeClose(): Promise<void>; close(): void }> {
  const rm = new ReplicaManager({
    nodeId: opts.nodeId,
    logs: ctx.logs,
    config: ctx.config,
    peers: opts.peers ?? new Map(),
    log,
  });
  const quorum = new QuorumClient({
    controllers: opts.controllers,
    broker: {
      id: opts.nodeId,
      host: ctx.advertisedHost,
      port: ctx.advertisedPort || port,
      replicationHost: opts.host,
      replicationPort: port,
      rack: ctx.config.brokerRack,
    },
    heartbeatIntervalMs: ctx.config.brokerHeartbeatIntervalMs,
    onImage: (image) => rm.applyImage(image),
    log,
  });
  rm.quorum = quorum;
  ctx.clusterHandlers = clusterHandlers(rm, quorum, ctx);
  await quorum.start();
  // Serve only once this broker is registered, unfenced and has caught up with the controller's
  // metadata as of its registration (Kafka's broker keeps its listeners closed until then): a
  // client asking earlier would be told that existing topics do not exist.
  const ok = await rm.waitForImage(
    (i) => i.version >= quorum.registeredAtVersion && i.brokers[opts.nodeId]?.fenced === false,
    30_000,
  );
  if (!ok) log("not unfenced and caught up with the controller's metadata within 30 s; serving anyway");
  return {
    async beforeClose() {
      quorum.shuttingDown = true;
      const leads = () =>
        Object.values(rm.image.topics).some((t) => t.partitions.some((p) => p.leader === opts.nodeId));
      log(leads() ? "controlled shutdown: moving leadership away" : "controlled shutdown: leaving the ISRs");
      await quorum.call("broker.controlledShutdown", { id: opts.nodeId }, 2000, 1000);
      await rm.waitForImage(
        (i) => !Object.values(i.topics).some((t) => t.partitions.some((p) => p.leader === opts.nodeId)),
        3000,
      );
    },
    close() {
      quorum.stop();
      rm.close();
    },
  };
}
