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
   * Joins a cluster once the port is bound (cluster-node.ts): installs cluster handlers on the
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
  const server: Server = createServer((socket: Socket) => {
    const c = new Connection(socket, ctx, log);
    connections.add(c);
    socket.on("close", () => connections.delete(c));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  if (opts.advertisedPort === undefined) ctx.advertisedPort = port;
  const attached = opts.attach ? await opts.attach(ctx, port) : undefined;
  groups.start();
  logs.startBackground(config.retentionCheckIntervalMs);
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
