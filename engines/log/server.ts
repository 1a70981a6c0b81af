/**
 * The broker process in library form: opens the data directory (recovering every partition and
 * the committed offsets), starts the group coordinator and background timers, and serves the
 * Kafka protocol on a TCP port. `close()` is the graceful path: stop accepting, answer or drop
 * parked requests, fsync every log and the offsets, close files.
 */

import { createServer, type Server, type Socket } from "node:net";
import type { BrokerContext } from "./broker-context.ts";
import { parseBrokerConfig } from "./config.ts";
import { Connection } from "./connection.ts";
import { GroupCoordinator } from "./groups/coordinator.ts";
import { LogManager } from "./storage/log-manager.ts";
import { OffsetStore } from "./storage/offset-store.ts";
import { ProducerIds } from "./storage/producer-ids.ts";

export interface ServeLogOptions {
  /** TCP port to bind; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Directory holding topics.json, partition directories and committed offsets. */
  dataDir: string;
  /** Host advertised in Metadata/FindCoordinator (default: the bind host). */
  advertisedHost?: string;
  /** Port advertised in Metadata/FindCoordinator (default: the bound port). */
  advertisedPort?: number;
  /** This broker's node id (default 1). */
  nodeId?: number;
  /** Kafka-style config overrides (see config.ts for the keys). */
  config?: Record<string, string>;
  /** Where diagnostics go (default stderr). */
  log?: (msg: string) => void;
  /**
   * Joins a cluster (cluster-node.ts) before clients are served: with a fixed port the listener
   * opens only after it resolves; with port 0 the port is bound first (the cluster must learn it)
   * and connections wait unread until it resolves. installs cluster handlers on the
   * context; `beforeClose` runs first on close (controlled shutdown), `close` before the logs close.
   */
  attach?: (ctx: BrokerContext, port: number) => Promise<{ beforeClose(): Promise<void>; close(): void }>;
}

export interface RunningLog {
  port: number;
  close(): Promise<void>;
}

export async function serveLog(opts: ServeLogOptions): Promise<RunningLog> {
  const config = parseBrokerConfig(opts.config ?? {});
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? ((m: string) => process.stderr.write(`[log] ${m}\n`));
  const logs = new LogManager(opts.dataDir, config.log);
  const clean = logs.load();
  if (!clean && logs.topicNames().length > 0) log("previous shutdown was not clean: validated every segment");
  for (const name of logs.topicNames()) {
    for (const p of logs.topic(name)!.partitions) {
      if (p.recovery?.stoppedBy)
        log(`recovered ${name}-${p.partition}: truncated tail (${p.recovery.stoppedBy})`);
      for (const s of p.swapRecovery) log(`recovered ${name}-${p.partition}: ${s}`);
    }
  }
  const offsets = new OffsetStore(opts.dataDir);
  const groups = new GroupCoordinator(
    {
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
    },
    { offsets, partitionExists: (t, p) => logs.partition(t, p) !== undefined },
  );
  const ctx: BrokerContext = {
    nodeId: opts.nodeId ?? 1,
    advertisedHost: opts.advertisedHost ?? host,
    advertisedPort: opts.advertisedPort ?? 0,
    config,
    logs,
    offsets,
    groups,
    producerIds: new ProducerIds(opts.dataDir),
  };
  const connections = new Set<Connection>();
  // Until a cluster node has caught up with the metadata (attach resolved), connections accepted
  // on an ephemeral port are held unread: answering them would tell clients that existing topics
  // do not exist (UNKNOWN_TOPIC_OR_PARTITION).
  let serving = opts.attach === undefined;
  const held: Socket[] = [];
  const accept = (socket: Socket) => {
    const c = new Connection(socket, ctx, log);
    connections.add(c);
    socket.on("close", () => connections.delete(c));
  };
  const server: Server = createServer((socket: Socket) => {
    if (serving) return accept(socket);
    socket.pause();
    held.push(socket);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  let port = opts.port ?? 0;
  let attached: Awaited<ReturnType<NonNullable<ServeLogOptions["attach"]>>> | undefined;
  if (opts.attach && port !== 0) {
    // Kafka's broker opens its client listener only once it has caught up with the metadata log
    // and is unfenced: until then a connection is refused and clients try another broker.
    if (opts.advertisedPort === undefined) ctx.advertisedPort = port;
    attached = await opts.attach(ctx, port);
    try {
      await listen(port);
    } catch (e) {
      await attached.beforeClose().catch(() => undefined);
      attached.close();
      logs.close();
      offsets.close();
      throw e;
    }
  } else {
    await listen(port);
    const addr = server.address();
    port = typeof addr === "object" && addr ? addr.port : 0;
    if (opts.advertisedPort === undefined) ctx.advertisedPort = port;
    attached = opts.attach ? await opts.attach(ctx, port) : undefined;
  }
  serving = true;
  for (const socket of held.splice(0)) {
    if (socket.destroyed) continue;
    accept(socket);
    socket.resume();
  }
  groups.start();
  logs.startBackground(config.retentionCheckIntervalMs, { backoffMs: config.cleanerBackoffMs, log });
  // Committed offsets follow the broker-wide flush.ms too (page cache otherwise, like the logs).
  const offsetsFlush = Number.isFinite(config.log.flushMs)
    ? setInterval(() => offsets.flush(), Math.max(10, config.log.flushMs))
    : undefined;
  offsetsFlush?.unref();

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= (async () => {
        await attached
          ?.beforeClose()
          .catch((e: unknown) => log(`controlled shutdown: ${(e as Error).message}`));
        if (offsetsFlush) clearInterval(offsetsFlush);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        groups.close();
        for (const c of connections) c.close();
        await stopped;
        attached?.close();
        logs.close();
        offsets.close();
      })();
      return closing;
    },
  };
}
